package org.jvmchat.persistence.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.TestDatabases;

/**
 * The store's read queries use their indexes: EXPLAIN on a realistic data set (20,000 rooms, 1%
 * public; 40,000 messages; 100,000 participant rows among 10,000 users, so about 10 rooms each;
 * 20,000 group rows), after VACUUM ANALYZE, shows index range or index-only scans and no sequential
 * scan. The plans are printed to the test output (README.md, "Query plans").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlanTest {
  private StoreOptions settings;
  private Connection connection;
  private String room;
  private String message;

  @BeforeAll
  void seed() throws Exception {
    settings = TestDatabases.externalSettings().build();
    try (ChatStore store = ChatStores.open(settings)) {
      assertThat(store.ping().healthy()).isTrue(); // creates the schema
    }
    connection = TestDatabases.connect(settings.databaseUrl(), settings.schema());
    try (Statement s = connection.createStatement()) {
      s.execute(
          "insert into rooms (id, name, is_private, created_by, created_at)"
              + " select gen_random_uuid(), 'room ' || g, g % 100 <> 0, 'user' || (g % 1000),"
              + " now() - make_interval(mins => g)"
              + " from generate_series(1, 20000) g");
      s.execute("insert into room_seqs (room_id, last_seq) select id, 200 from rooms");
      s.execute(
          "insert into room_participants (room_id, user_id)"
              + " select r.id, 'user' || ((abs(hashtext(r.id::text)) % 10000) + u)"
              + " from rooms r cross join generate_series(0, 4) u on conflict do nothing");
      s.execute(
          "insert into group_memberships (user_id, room_id)"
              + " select p.user_id, p.room_id from room_participants p"
              + " where hashtext(p.room_id::text) % 5 = 0 on conflict do nothing");
      s.execute(
          "insert into messages"
              + " (room_id, seq, id, sender_id, sender_name, content, kind, created_at)"
              + " select r.id, m, gen_random_uuid(), 'user1', 'User', repeat('x', 80), 'user',"
              + " now() from (select id from rooms order by id limit 200) r"
              + " cross join generate_series(1, 200) m");
      s.execute("vacuum analyze rooms, room_seqs, room_participants, group_memberships, messages");
      try (ResultSet rs =
          s.executeQuery("select room_id::text, id::text from messages where seq = 150 limit 1")) {
        rs.next();
        room = rs.getString(1);
        message = rs.getString(2);
      }
    }
  }

  @AfterAll
  void drop() throws Exception {
    if (connection != null) {
      connection.close();
    }
    TestDatabases.dropSchema(settings.databaseUrl(), settings.schema());
  }

  private List<String> explain(String sql) throws Exception {
    String literal =
        sql.replace(":id", "'" + room + "'::uuid")
            .replace(":room", "'" + room + "'::uuid")
            .replace(":user", "'user42'")
            .replace("?::text[]", "array['user42', 'user7']::text[]")
            .replace(":end", "150")
            .replace(":after", "100")
            .replace(":limit", "51");
    if (sql.equals(ChatSql.MESSAGE_SEQ)) {
      literal = literal.replaceFirst("id = '[^']+'::uuid", "id = '" + message + "'::uuid");
    }
    List<String> plan = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("explain (costs off) " + literal)) {
      while (rs.next()) {
        plan.add(rs.getString(1));
      }
    }
    System.out.println("-- " + sql + "\n" + String.join("\n", plan) + "\n");
    assertThat(plan).noneMatch(line -> line.contains("Seq Scan"));
    return plan;
  }

  @Test
  void historyPagesAreABackwardRangeScanOfThePrimaryKey() throws Exception {
    assertThat(explain(ChatSql.HISTORY_PAGE))
        .anyMatch(l -> l.contains("Index Scan Backward using messages_pkey"))
        .noneMatch(l -> l.contains("Sort"));
  }

  @Test
  void messagesAfterASeqAreAForwardRangeScanOfThePrimaryKey() throws Exception {
    assertThat(explain(ChatSql.HISTORY_AFTER))
        .anyMatch(l -> l.contains("Index Scan using messages_pkey"))
        .noneMatch(l -> l.contains("Sort"));
  }

  @Test
  void theBeforeMessageIsFoundByItsUniqueIndex() throws Exception {
    assertThat(explain(ChatSql.MESSAGE_SEQ))
        .anyMatch(l -> l.contains("Index Scan using messages_id_unique"));
  }

  @Test
  void roomLookupsUseThePrimaryKey() throws Exception {
    assertThat(explain(ChatSql.FIND_ROOM)).anyMatch(l -> l.contains("using rooms_pkey"));
    assertThat(explain(ChatSql.ROOM_EXISTS))
        .anyMatch(l -> l.contains("Index Only Scan using rooms_pkey"));
  }

  @Test
  void participantChecksAndGroupListsAreIndexOnlyScans() throws Exception {
    assertThat(explain(ChatSql.IS_PARTICIPANT))
        .anyMatch(l -> l.contains("Index Only Scan using room_participants_"));
    assertThat(explain(ChatSql.GROUPS_OF))
        .anyMatch(l -> l.contains("Index Only Scan using group_memberships_pkey"));
  }

  @Test
  void visibleRoomsReadThePublicRoomIndexAndTheUsersParticipations() throws Exception {
    assertThat(explain(ChatSql.VISIBLE_ROOMS))
        .anyMatch(l -> l.contains("rooms_public_by_age"))
        .anyMatch(l -> l.contains("room_participants_by_user"));
  }
}
