package org.jvmchat.persistence.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.MessageKind;
import org.jvmchat.persistence.MessagePage;
import org.jvmchat.persistence.MessagesAfter;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.NoSuchRoomException;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.StoreHealth;
import org.jvmchat.persistence.StoreOptions;
import org.jvmchat.persistence.StoreOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link ChatStore}: Jdbi over a HikariCP pool, appends through a {@link
 * GroupCommitWriter}. Reads and the small writes run on the caller's thread.
 */
public final class JdbiChatStore implements ChatStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbiChatStore.class);

  private static final RowMapper<Room> ROOM =
      (rs, ctx) ->
          new Room(
              rs.getObject("id", UUID.class).toString(),
              rs.getString("name"),
              rs.getBoolean("is_private"),
              rs.getString("created_by"),
              rs.getObject("created_at", OffsetDateTime.class).toInstant());

  private static final RowMapper<ChatMessage> MESSAGE =
      (rs, ctx) ->
          new ChatMessage(
              rs.getObject("id", UUID.class).toString(),
              rs.getObject("room_id", UUID.class).toString(),
              rs.getLong("seq"),
              rs.getString("sender_id"),
              rs.getString("sender_name"),
              rs.getString("content"),
              MessageKind.fromWireName(rs.getString("kind")),
              rs.getObject("created_at", OffsetDateTime.class).toInstant());

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final String description;
  private final GroupCommitWriter<List<NewMessage>, List<ChatMessage>> writer;
  private final JoinWriter joins;
  private final GroupsOfReader groupReads;
  private final ExecutorService completions;
  private final AutoCloseable onClose;
  private final Duration closeTimeout;

  /**
   * How long, after the connection broke during a COMMIT, the writer keeps asking the database
   * whether the batch was stored (twice the connect timeout, 10 s by default; one check may take up
   * to one connect timeout more).
   */
  private final Duration commitCheckWindow;

  /**
   * Whether batches on the one-statement path run it in auto-commit mode, one round trip instead of
   * two (statement, then COMMIT): with one writer lane, where no batch is staged while another
   * commits, so splitting the commit from the statement gains nothing.
   */
  private final boolean autoCommitOneStatement;

  private static final Duration COMMIT_CHECK_FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration COMMIT_CHECK_MAX_BACKOFF = Duration.ofSeconds(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final KnownRooms knownRooms = new KnownRooms(KnownRooms.DEFAULT_MAX);

  /**
   * Wraps a pool whose schema is already migrated; closes {@code dataSource} and then {@code
   * onClose} (may be null) on {@link #close()}.
   */
  public JdbiChatStore(
      HikariDataSource dataSource,
      String description,
      StoreOptions settings,
      AutoCloseable onClose) {
    this.dataSource = dataSource;
    this.description = description;
    this.onClose = onClose;
    this.closeTimeout = settings.connectTimeout().plus(settings.socketTimeout());
    this.commitCheckWindow = settings.connectTimeout().multipliedBy(2);
    int lanes = Math.min(settings.writeConnections(), settings.poolSize());
    this.autoCommitOneStatement = lanes == 1;
    this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    this.completions =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "jvmchat-store-completions");
              t.setDaemon(true);
              return t;
            });
    this.writer =
        new GroupCommitWriter<>(
            "jvmchat-store-writer",
            settings.writeQueueCapacity(),
            settings.writeBatchSize(),
            lanes,
            this::stageBatch,
            failure -> StoreErrors.translate("storing the message", failure),
            completions);
    this.joins =
        new JoinWriter(dataSource, settings.writeQueueCapacity(), settings.writeBatchSize());
    this.groupReads =
        new GroupsOfReader(dataSource, settings.writeQueueCapacity(), settings.writeBatchSize());
  }

  /** The batching of group lookups (its counters show how lookups were batched). */
  public GroupCommitWriter<?, ?> groupReader() {
    return groupReads.reader();
  }

  /** The group-commit writer of joins (its counters show how joins were batched). */
  public GroupCommitWriter<?, ?> joinWriter() {
    return joins.writer();
  }

  @Override
  public void observe(org.jvmchat.persistence.StoreObserver observer) {
    writer.listener(
        (count, nanos, failed) ->
            observer.appendBatchCommitted(count, Duration.ofNanos(nanos), failed));
    Object registry = observer.poolMeterRegistry();
    if (registry != null) {
      dataSource.setMetricRegistry(registry);
    }
  }

  /** The group-commit writer (its counters show how appends were batched). */
  public GroupCommitWriter<List<NewMessage>, List<ChatMessage>> writer() {
    return writer;
  }

  private <T> T read(String action, HandleCallback<T, RuntimeException> callback) {
    ensureOpen();
    try {
      return jdbi.withHandle(callback);
    } catch (RuntimeException e) {
      throw StoreErrors.translate(action, e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new ChatStoreException("the chat store is closed");
    }
  }

  static UUID uuidOrNull(String id) {
    return ChatIds.isValid(id) ? UUID.fromString(id) : null;
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  // ---- rooms ----------------------------------------------------------------------------------

  @Override
  public Room createRoom(String name, boolean isPrivate, String createdBy) {
    ChatLimits.requireRoomName(name);
    ChatLimits.requireUserId("createdBy", createdBy);
    Room room = new Room(ChatIds.newId(), name, isPrivate, createdBy, now());
    ensureOpen();
    try {
      jdbi.useTransaction(
          h -> {
            h.createUpdate(
                    "insert into rooms (id, name, is_private, created_by, created_at)"
                        + " values (:id, :name, :private, :by, :at)")
                .bind("id", UUID.fromString(room.id()))
                .bind("name", name)
                .bind("private", isPrivate)
                .bind("by", createdBy)
                .bind("at", room.createdAt().atOffset(ZoneOffset.UTC))
                .execute();
            // the room's seq counter: the write path locks it to prove the room exists
            h.createUpdate("insert into room_seqs (room_id, last_seq) values (:id, 0)")
                .bind("id", UUID.fromString(room.id()))
                .execute();
            h.createUpdate("insert into room_participants (room_id, user_id) values (:room, :user)")
                .bind("room", UUID.fromString(room.id()))
                .bind("user", createdBy)
                .execute();
          });
    } catch (RuntimeException e) {
      throw StoreErrors.translate("creating the room", e);
    }
    knownRooms.add(UUID.fromString(room.id()));
    return room;
  }

  @Override
  public Optional<Room> findRoom(String roomId) {
    UUID id = uuidOrNull(roomId);
    if (id == null) {
      ensureOpen();
      return Optional.empty();
    }
    Optional<Room> room =
        read(
            "reading the room",
            h -> h.createQuery(ChatSql.FIND_ROOM).bind("id", id).map(ROOM).findOne());
    room.ifPresent(r -> knownRooms.add(id));
    return room;
  }

  @Override
  public List<Room> visibleRooms(String userId) {
    String user = userId == null ? "" : userId;
    return read(
        "listing the rooms",
        h -> h.createQuery(ChatSql.VISIBLE_ROOMS).bind("user", user).map(ROOM).list());
  }

  @Override
  public List<Room> visibleRooms(String userId, Room after, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1 (was " + limit + ")");
    }
    String user = userId == null ? "" : userId;
    // No cursor: from before every room (the epoch and the smallest UUID).
    OffsetDateTime afterAt =
        (after == null ? java.time.Instant.EPOCH : after.createdAt())
            .atOffset(java.time.ZoneOffset.UTC);
    UUID afterId =
        after == null ? new UUID(Long.MIN_VALUE, Long.MIN_VALUE) : uuidOrNull(after.id());
    if (afterId == null) {
      throw new IllegalArgumentException("after is not a room id: " + after.id());
    }
    return read(
        "listing the rooms",
        h ->
            h.createQuery(ChatSql.VISIBLE_ROOMS_PAGE)
                .bind("user", user)
                .bind("afterAt", afterAt)
                .bind("afterId", afterId)
                .bind("limit", limit)
                .map(ROOM)
                .list());
  }

  // ---- participants ---------------------------------------------------------------------------

  @Override
  public boolean addParticipant(String roomId, String userId) {
    ChatLimits.requireUserId("userId", userId);
    return insertLink(
        "adding the participant",
        "insert into room_participants (room_id, user_id) values (:room, :user)"
            + " on conflict do nothing",
        roomId,
        userId);
  }

  @Override
  public boolean isParticipant(String roomId, String userId) {
    UUID room = uuidOrNull(roomId);
    if (room == null || userId == null) {
      ensureOpen();
      return false;
    }
    return read(
        "checking the participant",
        h ->
            h.createQuery(ChatSql.IS_PARTICIPANT)
                .bind("room", room)
                .bind("user", userId)
                .mapTo(Boolean.class)
                .one());
  }

  /** Inserts a (room, user) row; false when it existed; NoSuchRoomException for unknown rooms. */
  private boolean insertLink(String action, String sql, String roomId, String userId) {
    UUID room = uuidOrNull(roomId);
    if (room == null) {
      ensureOpen();
      throw new NoSuchRoomException(roomId);
    }
    ensureOpen();
    try {
      return jdbi.withHandle(
              h -> h.createUpdate(sql).bind("room", room).bind("user", userId).execute())
          == 1;
    } catch (RuntimeException e) {
      if (StoreErrors.isForeignKeyViolation(e)) {
        throw new NoSuchRoomException(roomId);
      }
      throw StoreErrors.translate(action, e);
    }
  }

  // ---- groups ---------------------------------------------------------------------------------

  @Override
  public boolean joinGroup(String userId, String roomId) {
    return join(userId, roomId, false);
  }

  /** Both inserts in one statement, and concurrent joins share it and its commit. */
  @Override
  public boolean joinAsParticipant(String userId, String roomId) {
    return join(userId, roomId, true);
  }

  private boolean join(String userId, String roomId, boolean asParticipant) {
    return joins.join(joinOf(userId, roomId, asParticipant));
  }

  private JoinWriter.Join joinOf(String userId, String roomId, boolean asParticipant) {
    ChatLimits.requireUserId("userId", userId);
    UUID room = uuidOrNull(roomId);
    ensureOpen();
    if (room == null) {
      throw new NoSuchRoomException(roomId);
    }
    return new JoinWriter.Join(userId, room, asParticipant);
  }

  /**
   * Queued for the join group commit; never blocks, never uses {@code blocking}. The future
   * completes on the join writer's thread.
   */
  @Override
  public CompletableFuture<Boolean> joinAsync(
      String userId, String roomId, boolean asParticipant, Executor blocking) {
    try {
      return joins.submit(joinOf(userId, roomId, asParticipant));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public boolean leaveGroup(String userId, String roomId) {
    UUID room = uuidOrNull(roomId);
    if (room == null || userId == null) {
      ensureOpen();
      return false;
    }
    return read(
        "leaving the group",
        h ->
            h.createUpdate(
                        "delete from group_memberships where user_id = :user and room_id = :room")
                    .bind("user", userId)
                    .bind("room", room)
                    .execute()
                == 1);
  }

  @Override
  public List<String> groupsOf(String userId) {
    ensureOpen();
    if (userId == null) {
      return List.of();
    }
    return groupReads.groupsOf(userId);
  }

  /**
   * Queued for the batched group read; never blocks, never uses {@code blocking}. The future
   * completes on the reader's thread.
   */
  @Override
  public CompletableFuture<List<String>> groupsOfAsync(String userId, Executor blocking) {
    try {
      ensureOpen();
      return userId == null
          ? CompletableFuture.completedFuture(List.of())
          : groupReads.submit(userId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---- messages -------------------------------------------------------------------------------

  @Override
  public CompletableFuture<ChatMessage> append(NewMessage message) {
    if (message == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("message is required"));
    }
    return writer.submit(List.of(message), 1).thenApply(list -> list.get(0));
  }

  @Override
  public CompletableFuture<List<ChatMessage>> appendAll(List<NewMessage> messages) {
    try {
      ChatLimits.requireAppendBatch(messages);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<NewMessage> copy = List.copyOf(messages);
    return writer.submit(copy, copy.size());
  }

  /**
   * Runs one group-commit batch's statements in a new transaction (on a writer lane, one batch at a
   * time) and returns what commits it. The rooms it wrote stay locked until that commit, so the
   * next batch, staged meanwhile on another lane, waits for it in the database where it touches the
   * same rooms. With one lane, a batch on the one-statement path is stored and committed by its one
   * statement instead ({@link #writeAutoCommitted}), and nothing is left to commit.
   */
  private GroupCommitWriter.Commit stageBatch(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) throws Exception {
    Connection c = dataSource.getConnection();
    AppendTransaction tx = new AppendTransaction(c, now(), knownRooms);
    if (autoCommitOneStatement && tx.autoCommittable(batch)) {
      writeAutoCommitted(c, tx, batch);
      return () -> {};
    }
    try {
      c.setAutoCommit(false);
      tx.write(batch);
    } catch (SQLException | RuntimeException e) {
      rollbackAndClose(c, e);
      throw e;
    }
    return () -> {
      try {
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackAndClose(c, e);
        if (!StoreErrors.isConnectionFailure(e)) {
          throw e; // the server answered: it rolled back
        }
        // The connection broke during COMMIT: the server may have committed before the answer
        // was lost. Never retry the insert; find out.
        findStored(stagedIds(batch), stagedRooms(batch), "the COMMIT of", e);
        return;
      }
      try {
        c.close(); // the pool restores auto-commit when the connection goes back
      } catch (SQLException | RuntimeException e) {
        LOG.warn("returning a writer connection to the pool failed (the batch committed)", e);
      }
    };
  }

  /**
   * The batch's one statement on {@code c} as it comes from the pool, in auto-commit mode: the
   * statement is its own transaction, and PostgreSQL answers only once it committed it (durably,
   * {@code synchronous_commit=on}). If the connection broke before the answer, the statement may
   * have committed: never retried, the store finds out as after a broken COMMIT. (The price of the
   * one round trip: a connection found broken by this statement, e.g. the first batch after the
   * database went away, is "maybe stored" until the database answers the check, where a broken
   * statement followed by a COMMIT never sent was "not stored" at once.)
   */
  private void writeAutoCommitted(
      Connection c,
      AppendTransaction tx,
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch)
      throws Exception {
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true); // the pool's default; never left to chance
      }
      tx.writeAutoCommitted(batch);
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException | RuntimeException close) {
        e.addSuppressed(close);
      }
      if (!StoreErrors.isConnectionFailure(e)) {
        throw e; // the server answered: the statement failed, and its transaction with it
      }
      if (tx.stagedIds().isEmpty()) {
        throw e; // it broke before the statement was built, so it was never sent
      }
      tx.succeedAsStored(
          batch, findStored(tx.stagedIds(), tx.stagedRooms(), "the statement that stores", e));
      return;
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("returning a writer connection to the pool failed (the batch committed)", e);
    }
  }

  /** The ids of the messages the batch's units were staged with (rejected units have none). */
  private static List<UUID> stagedIds(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) {
    return staged(batch, ChatMessage::id, new ArrayList<>());
  }

  /** The rooms of the messages the batch's units were staged with. */
  private static Set<UUID> stagedRooms(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) {
    return staged(batch, ChatMessage::roomId, new HashSet<>());
  }

  /** Adds {@code part} of each message the batch's units were staged with to {@code into}. */
  private static <C extends Collection<UUID>> C staged(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch,
      Function<ChatMessage, String> part,
      C into) {
    for (var unit : batch) {
      List<ChatMessage> staged = unit.result();
      if (staged != null) {
        for (ChatMessage m : staged) {
          into.add(UUID.fromString(part.apply(m)));
        }
      }
    }
    return into;
  }

  /**
   * After the connection broke while the database may have been committing a batch (during its
   * COMMIT, or its auto-committed statement): asks, once the database answers again, whether the
   * batch's message {@code ids} exist (a transaction is all or nothing, so they all do or none
   * does). The check first waits for the counter rows of the batch's {@code rooms} ({@code FOR
   * SHARE}): the batch's transaction holds them until it ends, so a transaction the database is
   * still running or committing is seen finished, not missing. Returns each one's seq, by id, if
   * the batch was stored; throws {@code failure} if it was not (nothing was stored); throws {@link
   * StoreOutcomeUnknownException} if the database did not answer within {@link #commitCheckWindow}.
   * Runs on the writer lane, so later batches are completed after this one. {@code during} names
   * what broke, for the log ("the COMMIT of").
   */
  private Map<UUID, Long> findStored(
      List<UUID> ids, Set<UUID> rooms, String during, Exception failure) throws Exception {
    if (ids.isEmpty()) {
      return Map.of(); // every unit was rejected: nothing of the batch was to be stored
    }
    long start = System.nanoTime();
    long deadline = start + commitCheckWindow.toNanos();
    long backoff = COMMIT_CHECK_FIRST_BACKOFF.toNanos();
    Exception last = failure;
    int attempts = 0;
    while (true) {
      attempts++;
      Map<UUID, Long> found = null;
      try (Connection check = dataSource.getConnection()) {
        check.setAutoCommit(false);
        try {
          long waitMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          try (Statement st = check.createStatement()) {
            st.execute("set local lock_timeout = " + waitMillis);
          }
          try (PreparedStatement ps =
              check.prepareStatement("select 1 from room_seqs where room_id = any (?) for share")) {
            ps.setObject(1, rooms.toArray(new UUID[0]));
            ps.executeQuery().close();
          }
          try (PreparedStatement ps =
              check.prepareStatement("select id, seq from messages where id = any (?)")) {
            ps.setObject(1, ids.toArray(new UUID[0]));
            try (ResultSet rs = ps.executeQuery()) {
              Map<UUID, Long> rows = new HashMap<>();
              while (rs.next()) {
                rows.put(rs.getObject(1, UUID.class), rs.getLong(2));
              }
              found = rows;
            }
          }
        } finally {
          check.rollback(); // read only; releases the share locks
        }
      } catch (SQLException | RuntimeException e) {
        if (!StoreErrors.isConnectionFailure(e)) {
          failure.addSuppressed(e);
          break;
        }
        last = e;
      }
      long took = (System.nanoTime() - start) / 1_000_000;
      if (found != null && found.size() == ids.size()) {
        LOG.warn(
            "the connection broke during {} {} messages; they were stored (checked after {} ms):"
                + " completing them as stored",
            during,
            ids.size(),
            took);
        return found;
      }
      if (found != null && found.isEmpty()) {
        LOG.warn(
            "the connection broke during {} {} messages; they were not stored (checked after {}"
                + " ms)",
            during,
            ids.size(),
            took);
        throw failure;
      }
      if (found != null) {
        // cannot happen (one transaction); say so rather than guess
        throw new StoreOutcomeUnknownException(
            "storing the message: the connection broke during the commit, and "
                + found.size()
                + " of the "
                + ids.size()
                + " messages of its batch are in the store; the message may appear in the"
                + " history",
            failure);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      if (!sleepNanos(Math.min(backoff, left))) {
        break; // interrupted: the store is closing and its time is up
      }
      backoff = Math.min(backoff * 2, COMMIT_CHECK_MAX_BACKOFF.toNanos());
    }
    if (last != failure) {
      failure.addSuppressed(last);
    }
    LOG.warn(
        "the connection broke during {} {} messages and the database did not answer within {}"
            + " ({} checks): their outcome is unknown",
        during,
        ids.size(),
        commitCheckWindow,
        attempts);
    throw new StoreOutcomeUnknownException(
        "storing the message: the database connection broke during the commit and the database"
            + " did not answer within "
            + commitCheckWindow.toSeconds()
            + "s whether it was stored ("
            + StoreErrors.rootMessage(failure)
            + "); the message may appear in the history",
        failure);
  }

  /** Sleeps; false if interrupted (the flag is kept). */
  private static boolean sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void rollbackAndClose(Connection c, Exception failure) {
    try {
      c.rollback();
    } catch (SQLException | RuntimeException rollback) {
      failure.addSuppressed(rollback);
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException close) {
      failure.addSuppressed(close);
    }
  }

  @Override
  public MessagePage history(String roomId, String before, int limit) {
    ChatLimits.requireHistoryLimit(limit);
    UUID room = uuidOrNull(roomId);
    if (room == null) {
      ensureOpen();
      throw new NoSuchRoomException(roomId);
    }
    UUID beforeId = null;
    if (before != null) {
      beforeId = uuidOrNull(before);
      if (beforeId == null) {
        ensureOpen();
        throw badBefore(before);
      }
    }
    UUID anchor = beforeId;
    return read(
        "reading the history",
        h -> {
          long end = Long.MAX_VALUE; // exclusive upper bound on seq
          if (anchor != null) {
            Optional<Long> seq =
                h.createQuery(ChatSql.MESSAGE_SEQ)
                    .bind("id", anchor)
                    .bind("room", room)
                    .mapTo(Long.class)
                    .findOne();
            if (seq.isEmpty()) {
              if (!roomExists(h, room)) {
                throw new NoSuchRoomException(roomId);
              }
              throw badBefore(before);
            }
            end = seq.get();
          }
          List<ChatMessage> newestFirst =
              h.createQuery(ChatSql.HISTORY_PAGE)
                  .bind("room", room)
                  .bind("end", end)
                  .bind("limit", limit + 1)
                  .map(MESSAGE)
                  .list();
          if (newestFirst.isEmpty() && anchor == null && !roomExists(h, room)) {
            throw new NoSuchRoomException(roomId);
          }
          boolean more = newestFirst.size() > limit;
          List<ChatMessage> items =
              new ArrayList<>(newestFirst.subList(0, Math.min(limit, newestFirst.size())));
          java.util.Collections.reverse(items);
          return new MessagePage(items, more ? items.get(0).id() : null);
        });
  }

  @Override
  public MessagesAfter historyAfter(String roomId, long after, int limit) {
    ChatLimits.requireHistoryLimit(limit);
    ChatLimits.requireAfterSeq(after);
    UUID room = uuidOrNull(roomId);
    if (room == null) {
      ensureOpen();
      throw new NoSuchRoomException(roomId);
    }
    return read(
        "reading the history",
        h -> {
          List<ChatMessage> items =
              h.createQuery(ChatSql.HISTORY_AFTER)
                  .bind("room", room)
                  .bind("after", after)
                  .bind("limit", limit + 1)
                  .map(MESSAGE)
                  .list();
          if (items.isEmpty() && !roomExists(h, room)) {
            throw new NoSuchRoomException(roomId);
          }
          boolean more = items.size() > limit;
          List<ChatMessage> page = more ? items.subList(0, limit) : items;
          return new MessagesAfter(page, more ? page.get(limit - 1).seq() : null);
        });
  }

  private static IllegalArgumentException badBefore(String before) {
    return new IllegalArgumentException(
        "before must be the id of a message in this room (was " + before + ")");
  }

  private static boolean roomExists(Handle h, UUID room) {
    return h.createQuery(ChatSql.ROOM_EXISTS).bind("id", room).mapTo(Boolean.class).one();
  }

  // ---- health and life ------------------------------------------------------------------------

  @Override
  public StoreHealth ping() {
    long start = System.nanoTime();
    if (closed.get()) {
      return StoreHealth.down(description + ": closed", Duration.ZERO);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("select 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return StoreHealth.up(description, Duration.ofNanos(System.nanoTime() - start));
    } catch (SQLException | RuntimeException e) {
      return StoreHealth.down(
          description + ": " + StoreErrors.rootMessage(e),
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.close(closeTimeout);
    joins.close(closeTimeout);
    groupReads.close(closeTimeout);
    completions.shutdown();
    try {
      if (!completions.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        completions.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      completions.shutdownNow();
    }
    dataSource.close();
    if (onClose != null) {
      try {
        onClose.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", description, e);
      }
    }
  }
}
