package org.jvmchat.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Batched {@code groupsOf}: the chat server reads a user's groups on every connect, so a burst of
 * connects would be a burst of one-row queries. Lookups that wait while one is running go together
 * in the next: one statement ({@link ChatSql#GROUPS_OF}) for all their users, on one pooled
 * connection.
 *
 * <p>The queue and the thread are a {@link GroupCommitWriter} (a read needs no commit, but the
 * batching, the bound and the closing are the same). Futures complete on its thread: a synchronous
 * caller blocks on its future; an asynchronous one ({@link #submit}) runs its continuation there.
 */
final class GroupsOfReader implements AutoCloseable {
  private final DataSource dataSource;
  private final GroupCommitWriter<String, List<String>> reader;

  GroupsOfReader(DataSource dataSource, int capacity, int maxBatch) {
    this.dataSource = dataSource;
    this.reader =
        new GroupCommitWriter<>(
            "jvmchat-store-group-reads",
            "group lookup",
            "groups not read",
            capacity,
            maxBatch,
            1,
            batch -> {
              read(batch);
              return () -> {};
            },
            failure -> StoreErrors.translate("listing the groups", failure),
            Runnable::run);
  }

  /** The ids of the rooms {@code userId} joined, ordered by room id. */
  List<String> groupsOf(String userId) {
    return reader.submitAndWait(userId, 1);
  }

  /** Queues the lookup; the future completes on the reader's thread. */
  java.util.concurrent.CompletableFuture<List<String>> submit(String userId) {
    return reader.submit(userId, 1);
  }

  /** The batching underneath (its counters show how lookups were batched). */
  GroupCommitWriter<String, List<String>> reader() {
    return reader;
  }

  private void read(List<GroupCommitWriter.Unit<String, List<String>>> batch) throws SQLException {
    LinkedHashSet<String> users = new LinkedHashSet<>();
    batch.forEach(unit -> users.add(unit.input()));
    Map<String, List<String>> groups = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(ChatSql.GROUPS_OF)) {
      ps.setObject(1, users.toArray(new String[0])); // a Java array: see AppendTransaction
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          groups
              .computeIfAbsent(rs.getString(1), u -> new ArrayList<>())
              .add(rs.getObject(2, UUID.class).toString());
        }
      }
    }
    for (var unit : batch) {
      unit.succeed(List.copyOf(groups.getOrDefault(unit.input(), List.of())));
    }
  }

  void close(Duration timeout) {
    reader.close(timeout);
  }

  @Override
  public void close() {
    reader.close();
  }
}
