package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.internal.DatabaseTarget;

/**
 * A database made by an earlier version of the store is brought to the current schema at start,
 * with its rooms and messages kept, and the store then behaves as on a fresh schema.
 */
class SchemaMigrationTest {
  private final String url = TestDatabases.databaseUrl();
  private final String schema = TestDatabases.freshSchemaName();

  @AfterEach
  void dropSchema() throws Exception {
    TestDatabases.dropSchema(url, schema);
  }

  @Test
  void aVersionOneDatabaseIsMigratedWithItsMessagesAndKeepsRefusingUnknownRooms() throws Exception {
    DatabaseTarget target = DatabaseTarget.parse(url);
    Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .table("jvmchat_schema_history")
        .schemas(schema)
        .defaultSchema(schema)
        .target("1")
        .load()
        .migrate();
    String roomId = ChatIds.newId();
    try (Connection c = TestDatabases.connect(url, schema);
        Statement s = c.createStatement()) {
      s.execute(
          "insert into rooms (id, name, is_private, created_by, created_at, last_seq) values ('"
              + roomId
              + "', 'old room', false, 'alice', now(), 2)");
      s.execute(
          "insert into messages (room_id, seq, id, sender_id, sender_name, content, kind,"
              + " created_at) values ('"
              + roomId
              + "', 1, '"
              + ChatIds.newId()
              + "', 'alice', 'Alice', 'first', 'user', now()), ('"
              + roomId
              + "', 2, '"
              + ChatIds.newId()
              + "', 'alice', 'Alice', 'second', 'user', now())");
      assertThat(foreignKeysOfMessages(c)).containsExactly("messages_room_id_fkey");
      assertThat(checksOf(c, "messages")).hasSize(5);
    }

    try (ChatStore store =
        ChatStores.open(TestDatabases.externalSettings().schema(schema).build())) {
      try (Connection c = TestDatabases.connect(url, schema)) {
        assertThat(foreignKeysOfMessages(c)).isEmpty();
        assertThat(appliedVersions(c)).containsExactly("1", "2", "3");
        // version 3: the counter moved to its own row, carried over; the write path's rows have
        // no CHECK left, the room's own CHECKs stay
        assertThat(strings(c, "select last_seq from room_seqs where room_id = '" + roomId + "'"))
            .containsExactly("2");
        assertThat(
                strings(
                    c,
                    "select column_name from information_schema.columns"
                        + " where table_schema = current_schema() and table_name = 'rooms'"
                        + " and column_name = 'last_seq'"))
            .isEmpty();
        assertThat(checksOf(c, "messages")).isEmpty();
        assertThat(checksOf(c, "room_seqs")).isEmpty();
        assertThat(checksOf(c, "rooms"))
            .containsExactly("rooms_created_by_length", "rooms_name_length");
      }
      assertThat(store.history(roomId, null, 10).items())
          .extracting(ChatMessage::content)
          .containsExactly("first", "second");
      ChatMessage third =
          store.append(NewMessage.user(roomId, "bob", "Bob", "third")).get(10, TimeUnit.SECONDS);
      assertThat(third.seq()).isEqualTo(3);

      // the room check the dropped key made is the write path's: nothing is stored for a room
      // that does not exist, on either path (a caller-chosen id takes the checked one)
      String missing = ChatIds.newId();
      assertThatThrownBy(
              () ->
                  store
                      .append(NewMessage.user(missing, "bob", "Bob", "lost"))
                      .get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(NoSuchRoomException.class);
      assertThatThrownBy(
              () ->
                  store
                      .append(
                          NewMessage.user(missing, "bob", "Bob", "lost").withId(ChatIds.newId()))
                      .get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(NoSuchRoomException.class);
      try (Connection c = TestDatabases.connect(url, schema);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("select count(*) from messages where room_id <> '" + roomId + "'")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }

  private static List<String> foreignKeysOfMessages(Connection c) throws Exception {
    return strings(
        c,
        "select conname from pg_constraint where contype = 'f'"
            + " and conrelid = 'messages'::regclass order by conname");
  }

  private static List<String> checksOf(Connection c, String table) throws Exception {
    return strings(
        c,
        "select conname from pg_constraint where contype = 'c'"
            + " and conrelid = '"
            + table
            + "'::regclass order by conname");
  }

  private static List<String> appliedVersions(Connection c) throws Exception {
    return strings(
        c,
        "select version from jvmchat_schema_history where success and version is not null"
            + " order by installed_rank");
  }

  /** The first column of every row {@code sql} returns. */
  private static List<String> strings(Connection c, String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}
