-- jvmchat chat store, schema version 1. PostgreSQL 15+ (embedded: 18).
-- Every query of the store is an index range or index-only scan on one of these indexes;
-- README.md ("Query plans") shows the plans.

create table rooms (
    id          uuid        primary key,
    name        text        not null,
    is_private  boolean     not null,
    created_by  text        not null,
    created_at  timestamptz not null,
    -- seq of the newest message; raised in the same transaction that inserts messages
    last_seq    bigint      not null default 0,
    constraint rooms_name_length check (char_length(name) between 1 and 100),
    constraint rooms_created_by_length check (char_length(created_by) between 1 and 64),
    constraint rooms_last_seq_not_negative check (last_seq >= 0)
);

-- GET /api/v1/rooms: the public rooms, oldest first (small partial index, read in order).
create index rooms_public_by_age on rooms (created_at, id) where not is_private;

create table room_participants (
    room_id   uuid        not null references rooms (id) on delete cascade,
    user_id   text        not null,
    added_at  timestamptz not null default now(),
    primary key (room_id, user_id),
    constraint room_participants_user_id_length check (char_length(user_id) between 1 and 64)
);

-- The private rooms a user takes part in (index-only scan).
create index room_participants_by_user on room_participants (user_id, room_id);

create table messages (
    room_id     uuid        not null references rooms (id) on delete cascade,
    seq         bigint      not null,
    id          uuid        not null,
    sender_id   text        not null,
    sender_name text        not null,
    content     text        not null,
    kind        text        not null,
    created_at  timestamptz not null,
    -- History pages are ranges of this key, read backwards: seq < :before order by seq desc.
    primary key (room_id, seq),
    constraint messages_id_unique unique (id),
    constraint messages_seq_positive check (seq > 0),
    constraint messages_sender_id_length check (char_length(sender_id) between 1 and 64),
    constraint messages_sender_name_length check (char_length(sender_name) between 1 and 100),
    constraint messages_content_length check (char_length(content) between 1 and 4000),
    constraint messages_kind_known check (kind in ('user', 'assistant', 'system'))
);

-- The hub groups a user has joined; every new connection of the user is put back into them.
create table group_memberships (
    user_id    text        not null,
    room_id    uuid        not null references rooms (id) on delete cascade,
    joined_at  timestamptz not null default now(),
    primary key (user_id, room_id),
    constraint group_memberships_user_id_length check (char_length(user_id) between 1 and 64)
);
