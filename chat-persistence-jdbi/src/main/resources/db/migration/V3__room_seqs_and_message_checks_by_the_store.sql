-- jvmchat chat store, schema version 3: the write path touches only narrow rows without checks.
--
-- 1. A room's seq counter moves from rooms.last_seq to its own narrow row, room_seqs. Every
--    append locks its rooms' counter rows and raises them (AppendTransaction); PostgreSQL
--    evaluates every CHECK of a table on every UPDATE of a row, so with the counter in rooms each
--    stored message also re-checked the room's name and creator lengths and rewrote the room's
--    wide row. room_seqs has no CHECK; rooms keeps its own (written once, at creation). A room and
--    its counter row are inserted in one transaction (createRoom), so a room exists exactly when
--    its counter row does, and the write path's lock on the counter row proves it.
-- 2. messages loses its CHECKs (seq > 0, the three lengths, the kind). They cost a tenth of
--    PostgreSQL's CPU per stored message (chat-load echo, 2026-12-07: the constraint expressions
--    are rebuilt from their stored text at every statement, then run per row), and they check
--    what the store's only writer already guarantees: every NewMessage is validated against
--    ChatLimits when it is built (ids, name and content lengths, a known MessageKind), and seqs
--    are reserved from the counter, which starts at 0 and only grows.
create table room_seqs (
    room_id   uuid   primary key references rooms (id) on delete cascade,
    -- seq of the room's newest message; raised in the same transaction that inserts messages
    last_seq  bigint not null
);

insert into room_seqs (room_id, last_seq) select id, last_seq from rooms;

alter table rooms drop column last_seq;

alter table messages
    drop constraint messages_seq_positive,
    drop constraint messages_sender_id_length,
    drop constraint messages_sender_name_length,
    drop constraint messages_content_length,
    drop constraint messages_kind_known;
