package org.jvmchat.persistence.internal;

/**
 * The read queries of {@link JdbiChatStore}, with Jdbi named parameters. Kept in one place so the
 * query-plan test explains exactly what the store runs.
 */
public final class ChatSql {
  static final String ROOM_COLUMNS = "id, name, is_private, created_by, created_at";
  static final String MESSAGE_COLUMNS =
      "id, room_id, seq, sender_id, sender_name, content, kind, created_at";

  /** One room by id: primary key lookup. */
  public static final String FIND_ROOM = "select " + ROOM_COLUMNS + " from rooms where id = :id";

  /** Whether a room exists: primary key lookup. */
  public static final String ROOM_EXISTS = "select exists (select 1 from rooms where id = :id)";

  /**
   * Public rooms (partial index {@code rooms_public_by_age}) and the private rooms of {@code :user}
   * ({@code room_participants_by_user}, then primary key lookups), oldest first.
   */
  public static final String VISIBLE_ROOMS =
      "select "
          + ROOM_COLUMNS
          + " from rooms where not is_private"
          + " union all"
          + " select r.id, r.name, r.is_private, r.created_by, r.created_at"
          + " from room_participants p join rooms r on r.id = p.room_id"
          + " where p.user_id = :user and r.is_private"
          + " order by created_at, id";

  /** Participant check: index-only scan of {@code room_participants_pkey}. */
  public static final String IS_PARTICIPANT =
      "select exists (select 1 from room_participants where room_id = :room and user_id = :user)";

  /**
   * The groups of several users at once (one JDBC parameter: their ids): index-only scans of {@code
   * group_memberships_pkey}.
   */
  public static final String GROUPS_OF =
      "select user_id, room_id from group_memberships where user_id = any (?::text[])"
          + " order by user_id, room_id";

  /** The seq of the {@code before} message: {@code messages_id_unique} lookup. */
  public static final String MESSAGE_SEQ =
      "select seq from messages where id = :id and room_id = :room";

  /**
   * One history page, newest first: a backward range scan of {@code messages_pkey (room_id, seq)}
   * that stops after {@code :limit} rows.
   */
  public static final String HISTORY_PAGE =
      "select "
          + MESSAGE_COLUMNS
          + " from messages where room_id = :room and seq < :end"
          + " order by seq desc limit :limit";

  /**
   * The messages after a seq, oldest first: a forward range scan of {@code messages_pkey (room_id,
   * seq)} that stops after {@code :limit} rows.
   */
  public static final String HISTORY_AFTER =
      "select "
          + MESSAGE_COLUMNS
          + " from messages where room_id = :room and seq > :after"
          + " order by seq limit :limit";

  private ChatSql() {}
}
