package org.jvmchat.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.jvmchat.persistence.NoSuchRoomException;

/**
 * Group commit for joins ({@code joinGroup}, {@code joinAsParticipant}): a burst of connections
 * joining rooms — every connect of the reference chat server joins one — shares one statement and
 * one durable commit instead of one transaction each.
 *
 * <p>A batch is {@link #BATCH}: both inserts for every join, idempotent ({@code on conflict do
 * nothing}), in one statement run auto-committed: PostgreSQL commits it, durably, before it
 * answers, so a batch is one round trip (a {@code BEGIN} … {@code COMMIT} around it was two). A
 * join is "newly joined" when its group row was inserted; two joins of the same user and room in
 * one batch: the first one (in submission order) is. When the batch statement fails — a room that
 * does not exist (foreign key), or anything else — nothing of it was stored (a statement is
 * atomic), and every join is then written alone, so one bad join fails alone. A connection that
 * breaks while the statement runs leaves the outcome unknown, as a failed {@code COMMIT} did: the
 * joins fail, and a retried join is harmless (it is idempotent).
 *
 * <p>Futures complete on the writer thread: a synchronous caller blocks on its future, so
 * completing it only wakes the caller; an asynchronous one ({@link #submit}) runs its continuation
 * there.
 */
final class JoinWriter implements AutoCloseable {
  /** One join: the user, the room, and whether it also becomes a participant. */
  record Join(String userId, UUID room, boolean asParticipant) {
    String key() {
      return userId + '\n' + room;
    }
  }

  /** Parameters: user ids, room ids, as-participant flags. Returns the group rows inserted. */
  static final String BATCH =
      "with j (user_id, room_id, p) as (select * from unnest(?::text[], ?::uuid[], ?::bool[])),"
          + " participant as (insert into room_participants (room_id, user_id)"
          + " select distinct room_id, user_id from j where p on conflict do nothing),"
          + " joined as (insert into group_memberships (user_id, room_id)"
          + " select distinct user_id, room_id from j on conflict do nothing"
          + " returning user_id, room_id)"
          + " select user_id, room_id from joined";

  private final DataSource dataSource;
  private final GroupCommitWriter<Join, Boolean> writer;

  JoinWriter(DataSource dataSource, int capacity, int maxBatch) {
    this.dataSource = dataSource;
    this.writer =
        new GroupCommitWriter<>(
            "jvmchat-store-joins",
            "join write",
            "not joined",
            capacity,
            maxBatch,
            1,
            batch -> {
              write(batch);
              return () -> {};
            },
            failure -> StoreErrors.translate("joining the room", failure),
            Runnable::run);
  }

  /**
   * Joins and waits for the commit.
   *
   * @return whether the group was newly joined
   */
  boolean join(Join join) {
    return writer.submitAndWait(join, 1);
  }

  /** Queues the join; the future completes (on the writer thread) once it committed. */
  java.util.concurrent.CompletableFuture<Boolean> submit(Join join) {
    return writer.submit(join, 1);
  }

  /** The group-commit writer underneath (its counters show how joins were batched). */
  GroupCommitWriter<Join, Boolean> writer() {
    return writer;
  }

  private void write(List<GroupCommitWriter.Unit<Join, Boolean>> batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      Set<String> inserted;
      try {
        inserted = run(c, batch);
      } catch (SQLException e) {
        if (batch.size() == 1) {
          rejectOrThrow(batch.get(0), e);
          return;
        }
        writeOneByOne(c, batch);
        return;
      }
      List<Join> joins = new ArrayList<>(batch.size());
      batch.forEach(unit -> joins.add(unit.input()));
      List<Boolean> answers = answers(joins, inserted);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).succeed(answers.get(i));
      }
    }
  }

  /** After a failed batch: each join alone, auto-committed, so a bad one fails alone. */
  private void writeOneByOne(Connection c, List<GroupCommitWriter.Unit<Join, Boolean>> batch)
      throws SQLException {
    for (var unit : batch) {
      try {
        unit.succeed(!run(c, List.of(unit)).isEmpty());
      } catch (SQLException e) {
        rejectOrThrow(unit, e);
      }
    }
  }

  /** A missing room fails the one join; anything else (the database is gone) fails the batch. */
  private static void rejectOrThrow(GroupCommitWriter.Unit<Join, Boolean> unit, SQLException e)
      throws SQLException {
    if (StoreErrors.isForeignKeyViolation(e)) {
      unit.reject(new NoSuchRoomException(unit.input().room().toString()));
      return;
    }
    throw e;
  }

  private static Set<String> run(Connection c, List<GroupCommitWriter.Unit<Join, Boolean>> batch)
      throws SQLException {
    int n = batch.size();
    String[] users = new String[n];
    UUID[] rooms = new UUID[n];
    boolean[] participants = new boolean[n];
    for (int i = 0; i < n; i++) {
      Join j = batch.get(i).input();
      users[i] = j.userId();
      rooms[i] = j.room();
      participants[i] = j.asParticipant();
    }
    Set<String> inserted = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(BATCH)) {
      ps.setObject(1, users); // Java arrays: see AppendTransaction
      ps.setObject(2, new UuidArray(rooms)); // sent binary, see UuidArray
      ps.setObject(3, participants);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1) + '\n' + rs.getObject(2, UUID.class));
        }
      }
    }
    return inserted;
  }

  void close(Duration timeout) {
    writer.close(timeout);
  }

  @Override
  public void close() {
    writer.close();
  }

  /**
   * Whether each join of a batch newly joined, given the (user, room) keys whose group rows the
   * statement inserted: the first join of a key does, later ones of the same key do not.
   */
  static List<Boolean> answers(List<Join> joins, Set<String> inserted) {
    List<Boolean> out = new ArrayList<>(joins.size());
    Set<String> answered = new HashSet<>();
    for (Join j : joins) {
      out.add(inserted.contains(j.key()) && answered.add(j.key()));
    }
    return out;
  }
}
