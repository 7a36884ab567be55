package org.jvmchat.persistence.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntToLongFunction;
import org.jvmchat.persistence.ChatIds;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.ChatStoreException;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.persistence.NoSuchRoomException;

/**
 * One group-commit batch, written on one connection inside the caller's transaction (the caller
 * commits).
 *
 * <p><b>One statement</b> (the usual case: every room of the batch is known to exist and no message
 * carries a caller-chosen id): {@link #ONE_STATEMENT} locks the rooms' counter rows ({@code
 * room_seqs}, one per room, inserted with the room) in id order, reserves a seq range per room from
 * {@code room_seqs.last_seq} and inserts every row, in one round trip.
 *
 * <p><b>Checked</b> (otherwise): lock the rooms in id order and learn which exist, check
 * caller-chosen ids, reserve the seq ranges, insert every row — up to four round trips. Units
 * naming an unknown room or a taken id are rejected alone and take no seq.
 *
 * <p>Either way rows are locked in id order (so writers of several processes cannot deadlock), and
 * a room's row stays locked until the transaction ends, so a later batch touching the same room
 * waits for this one's commit and gets the following seqs.
 *
 * <p>Arrays are bound as Java arrays ({@code setObject}): the driver encodes them itself, where
 * {@code createArrayOf} builds and escapes an array literal character by character, which
 * PostgreSQL then parses. On the one-statement path the {@code uuid[]}s are {@link UuidArray}s,
 * which the driver sends in binary.
 */
final class AppendTransaction {
  /**
   * Lock, reserve and insert in one statement. The update touches only rows the {@code locked} CTE
   * returned, which locks them in id order as it returns them, so every row lock of the statement
   * is taken in id order whatever plan the update gets. Parameters: room ids and counts (for {@code
   * c}), room ids (for {@code locked}), created_at, then the rows with their 1-based offset within
   * their room. Returns one row per room: id, the seq before this batch, rows inserted.
   */
  static final String ONE_STATEMENT =
      "with c (id, n) as (select * from unnest(?::uuid[], ?::int4[])),"
          + " locked as (select q.room_id from room_seqs q where q.room_id = any (?::uuid[])"
          + " order by q.room_id for no key update),"
          + " reserved as (update room_seqs q set last_seq = q.last_seq + c.n"
          + " from locked l join c on c.id = l.room_id where q.room_id = l.room_id"
          + " returning q.room_id, q.last_seq - c.n as base),"
          + " inserted as (insert into messages"
          + " (id, room_id, seq, sender_id, sender_name, content, kind, created_at)"
          + " select u.id, u.room_id, s.base + u.off, u.sender_id, u.sender_name, u.content,"
          + " u.kind, ?::timestamptz"
          + " from unnest(?::uuid[], ?::uuid[], ?::int8[], ?::text[], ?::text[], ?::text[],"
          + " ?::text[]) as u (id, room_id, off, sender_id, sender_name, content, kind)"
          + " join reserved s on s.room_id = u.room_id returning 1)"
          + " select s.room_id, s.base, (select count(*) from inserted) from reserved s";

  private final Connection c;
  private final Instant createdAt;
  private final KnownRooms knownRooms;

  /** One-statement path: the ids, rooms and 1-based offsets within their room of the messages. */
  private UUID[] ids;

  private UUID[] rooms;
  private long[] offsets;
  private int roomCount;
  private long inserted = -1;

  AppendTransaction(Connection c, Instant createdAt, KnownRooms knownRooms) {
    this.c = c;
    this.createdAt = createdAt;
    this.knownRooms = knownRooms;
  }

  /** Whether {@link #write} will take the one-statement path for this batch. */
  boolean oneStatement(List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) {
    for (var unit : batch) {
      for (NewMessage m : unit.input()) {
        if (m.id() != null || !knownRooms.contains(JdbiChatStore.uuidOrNull(m.roomId()))) {
          return false;
        }
      }
    }
    return true;
  }

  void write(List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch)
      throws SQLException {
    if (oneStatement(batch)) {
      writeOneStatement(batch);
    } else {
      writeChecked(batch);
    }
  }

  /**
   * Whether {@link #writeAutoCommitted} may take this batch: it takes the one-statement path, and
   * each unit's messages are all in one room, so that each unit is stored or not as a whole even if
   * a room "known" to exist did not.
   */
  boolean autoCommittable(List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) {
    if (!oneStatement(batch)) {
      return false;
    }
    for (var unit : batch) {
      String room = unit.input().get(0).roomId();
      for (NewMessage m : unit.input()) {
        if (!m.roomId().equals(room)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * {@link #ONE_STATEMENT} on a connection in auto-commit mode: it is its own transaction, which
   * PostgreSQL commits (durably, with {@code synchronous_commit}) before it answers, so the batch
   * costs one round trip. Only for {@link #autoCommittable} batches: a unit whose room turned out
   * not to exist (only if it was deleted by hand; the store never deletes rooms) stored nothing and
   * is rejected, and the rest of the batch is stored. If the connection breaks before the answer,
   * {@link #stagedIds} are the ids to look for and {@link #succeedAsStored} completes the batch.
   */
  void writeAutoCommitted(List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch)
      throws SQLException {
    Map<UUID, Long> base = runOneStatement(batch);
    int i = 0;
    for (var unit : batch) {
      UUID room = rooms[i];
      if (base.containsKey(room)) {
        succeed(unit, i, k -> base.get(rooms[k]) + offsets[k]);
      } else {
        knownRooms.forget(room);
        unit.reject(new NoSuchRoomException(unit.input().get(0).roomId()));
      }
      i += unit.input().size();
    }
  }

  /** The rooms of the one-statement batch's messages. */
  Set<UUID> stagedRooms() {
    return rooms == null ? Set.of() : Set.copyOf(Arrays.asList(rooms));
  }

  /** The ids the one-statement path gave the batch's messages, in batch order. */
  List<UUID> stagedIds() {
    return ids == null ? List.of() : List.of(ids);
  }

  /**
   * Completes every unit as stored with the seqs {@code seqs} (by message id) says it was stored
   * with: for a one-statement batch whose answer was lost, once a check found it in the store.
   */
  void succeedAsStored(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch,
      Map<UUID, Long> seqs) {
    int i = 0;
    for (var unit : batch) {
      succeed(unit, i, k -> seqs.get(ids[k]));
      i += unit.input().size();
    }
  }

  private void writeOneStatement(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) throws SQLException {
    Map<UUID, Long> base = runOneStatement(batch);
    if (base.size() != roomCount || inserted != ids.length) {
      // only if a room "known" to exist did not: fail the batch (the caller rolls back)
      throw new SQLException(
          "inserted " + inserted + " of " + ids.length + " messages in " + base.size() + " rooms");
    }
    int i = 0;
    for (var unit : batch) {
      succeed(unit, i, k -> base.get(rooms[k]) + offsets[k]);
      i += unit.input().size();
    }
  }

  /** Runs {@link #ONE_STATEMENT}; returns each reserved room's seq before this batch. */
  private Map<UUID, Long> runOneStatement(
      List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch) throws SQLException {
    Map<UUID, Integer> counts = new TreeMap<>();
    int total = 0;
    for (var unit : batch) {
      total += unit.input().size();
    }
    ids = new UUID[total];
    rooms = new UUID[total];
    offsets = new long[total];
    String[] senderIds = new String[total];
    String[] senderNames = new String[total];
    String[] contents = new String[total];
    String[] kinds = new String[total];
    int i = 0;
    for (var unit : batch) {
      for (NewMessage m : unit.input()) {
        UUID room = UUID.fromString(m.roomId());
        ids[i] = ChatIds.newUuid();
        rooms[i] = room;
        offsets[i] = (long) counts.merge(room, 1, Integer::sum);
        senderIds[i] = m.senderId();
        senderNames[i] = m.senderName();
        contents[i] = m.content();
        kinds[i] = m.kind().wireName();
        i++;
      }
    }
    roomCount = counts.size();
    UUID[] roomIds = counts.keySet().toArray(new UUID[0]);
    Map<UUID, Long> base = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(ONE_STATEMENT)) {
      UuidArray roomArray = new UuidArray(roomIds); // sent binary, see UuidArray
      ps.setObject(1, roomArray);
      ps.setObject(2, counts.values().stream().mapToInt(Integer::intValue).toArray());
      ps.setObject(3, roomArray);
      ps.setObject(4, createdAt.atOffset(ZoneOffset.UTC));
      ps.setObject(5, new UuidArray(ids));
      ps.setObject(6, new UuidArray(rooms));
      ps.setObject(7, offsets);
      ps.setObject(8, senderIds);
      ps.setObject(9, senderNames);
      ps.setObject(10, contents);
      ps.setObject(11, kinds);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          base.put(rs.getObject(1, UUID.class), rs.getLong(2));
          inserted = rs.getLong(3);
        }
      }
    }
    return base;
  }

  /**
   * Completes {@code unit}, whose first message is the batch's {@code first}-th, as stored; {@code
   * seqOf} gives the seq of the batch's k-th message.
   */
  private void succeed(
      GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>> unit,
      int first,
      IntToLongFunction seqOf) {
    List<ChatMessage> stored = new ArrayList<>(unit.input().size());
    int i = first;
    for (NewMessage m : unit.input()) {
      stored.add(
          new ChatMessage(
              ids[i].toString(),
              m.roomId(),
              seqOf.applyAsLong(i),
              m.senderId(),
              m.senderName(),
              m.content(),
              m.kind(),
              createdAt));
      i++;
    }
    unit.succeed(List.copyOf(stored));
  }

  private void writeChecked(List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> batch)
      throws SQLException {
    // 1. Lock the rooms in id order (so concurrent writers of several processes cannot
    //    deadlock) and learn which exist.
    Set<UUID> wanted = new HashSet<>();
    Set<UUID> givenIds = new HashSet<>();
    for (var unit : batch) {
      for (NewMessage m : unit.input()) {
        UUID room = JdbiChatStore.uuidOrNull(m.roomId());
        if (room != null) {
          wanted.add(room);
        }
        if (m.id() != null) {
          givenIds.add(UUID.fromString(m.id()));
        }
      }
    }
    Set<UUID> existing = new HashSet<>();
    if (!wanted.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "select room_id from room_seqs where room_id = any (?)"
                  + " order by room_id for no key update")) {
        ps.setObject(1, wanted.toArray(new UUID[0]));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            existing.add(rs.getObject(1, UUID.class));
          }
        }
      }
      // committed rooms (the lock reads only those), and rooms are never deleted
      existing.forEach(knownRooms::add);
    }
    // 2. Ids chosen by callers must be new.
    Set<UUID> taken = new HashSet<>();
    if (!givenIds.isEmpty()) {
      try (PreparedStatement ps =
          c.prepareStatement("select id from messages where id = any (?)")) {
        ps.setObject(1, givenIds.toArray(new UUID[0]));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            taken.add(rs.getObject(1, UUID.class));
          }
        }
      }
    }
    // 3. Accept or reject each unit as a whole; count accepted messages per room.
    List<GroupCommitWriter.Unit<List<NewMessage>, List<ChatMessage>>> accepted = new ArrayList<>();
    Map<UUID, Integer> counts = new TreeMap<>();
    for (var unit : batch) {
      RuntimeException rejection = null;
      Set<UUID> unitIds = new HashSet<>();
      for (NewMessage m : unit.input()) {
        UUID room = JdbiChatStore.uuidOrNull(m.roomId());
        if (room == null || !existing.contains(room)) {
          rejection = new NoSuchRoomException(m.roomId());
          break;
        }
        if (m.id() != null) {
          UUID id = UUID.fromString(m.id());
          if (taken.contains(id) || !unitIds.add(id)) {
            rejection = new ChatStoreException("a message with id " + m.id() + " already exists");
            break;
          }
        }
      }
      if (rejection != null) {
        unit.reject(rejection);
        continue;
      }
      taken.addAll(unitIds); // a later unit of this batch may not reuse them
      accepted.add(unit);
      for (NewMessage m : unit.input()) {
        counts.merge(UUID.fromString(m.roomId()), 1, Integer::sum);
      }
    }
    if (accepted.isEmpty()) {
      return;
    }
    // 4. Reserve seq ranges: one update for all rooms of the batch.
    Map<UUID, Long> nextSeq = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "update room_seqs q set last_seq = q.last_seq + c.n"
                + " from unnest(?::uuid[], ?::int[]) as c(id, n)"
                + " where q.room_id = c.id returning q.room_id, q.last_seq, c.n")) {
      ps.setObject(1, counts.keySet().toArray(new UUID[0]));
      ps.setObject(2, counts.values().stream().mapToInt(Integer::intValue).toArray());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          nextSeq.put(rs.getObject(1, UUID.class), rs.getLong(2) - rs.getInt(3) + 1);
        }
      }
    }
    // 5. Insert every row with one statement.
    int total = 0;
    for (var unit : accepted) {
      total += unit.input().size();
    }
    UUID[] ids = new UUID[total];
    UUID[] rooms = new UUID[total];
    long[] seqs = new long[total];
    String[] senderIds = new String[total];
    String[] senderNames = new String[total];
    String[] contents = new String[total];
    String[] kinds = new String[total];
    int i = 0;
    for (var unit : accepted) {
      List<ChatMessage> stored = new ArrayList<>(unit.input().size());
      for (NewMessage m : unit.input()) {
        UUID room = UUID.fromString(m.roomId());
        long seq = nextSeq.merge(room, 1L, Long::sum) - 1;
        String id = m.id() != null ? m.id() : ChatIds.newId();
        ids[i] = UUID.fromString(id);
        rooms[i] = room;
        seqs[i] = seq;
        senderIds[i] = m.senderId();
        senderNames[i] = m.senderName();
        contents[i] = m.content();
        kinds[i] = m.kind().wireName();
        i++;
        stored.add(
            new ChatMessage(
                id,
                m.roomId(),
                seq,
                m.senderId(),
                m.senderName(),
                m.content(),
                m.kind(),
                createdAt));
      }
      unit.succeed(List.copyOf(stored));
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into messages"
                + " (id, room_id, seq, sender_id, sender_name, content, kind, created_at)"
                + " select u.id, u.room_id, u.seq, u.sender_id, u.sender_name, u.content,"
                + " u.kind, ?"
                + " from unnest(?::uuid[], ?::uuid[], ?::int8[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[])"
                + " as u(id, room_id, seq, sender_id, sender_name, content, kind)")) {
      ps.setObject(1, createdAt.atOffset(ZoneOffset.UTC));
      ps.setObject(2, ids);
      ps.setObject(3, rooms);
      ps.setObject(4, seqs);
      ps.setObject(5, senderIds);
      ps.setObject(6, senderNames);
      ps.setObject(7, contents);
      ps.setObject(8, kinds);
      int inserted = ps.executeUpdate();
      if (inserted != total) {
        throw new SQLException("inserted " + inserted + " of " + total + " messages");
      }
    }
  }
}
