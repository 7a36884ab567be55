package org.jvmchat.persistence;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Messages: appends are asynchronous, history reads are blocking. */
public interface MessageStore {
  /**
   * Stores one message. Never blocks. The future completes with the stored message (its id, its
   * {@code seq} in the room, its {@code createdAt}) only once the row is durable (committed), or
   * exceptionally with {@link NoSuchRoomException}, {@link StoreUnavailableException} (nothing
   * stored), {@link StoreOverloadedException} (write queue full, nothing stored) or {@link
   * ChatStoreException} (e.g. the given id is already taken).
   *
   * <p>The PostgreSQL store completes futures on its own completion thread (never its writer
   * thread); the in-memory store returns a completed future. Either way, dependent stages must not
   * block: hand slow work to an executor.
   */
  CompletableFuture<ChatMessage> append(NewMessage message);

  /**
   * Stores several messages atomically (all or none), in order: messages for the same room get
   * increasing {@code seq} in list order. Completes like {@link #append}; when one message names an
   * unknown room, none is stored. At most {@value ChatLimits#APPEND_ALL_MAX_MESSAGES} messages.
   */
  CompletableFuture<List<ChatMessage>> appendAll(List<NewMessage> messages);

  /**
   * One page of a room's history: the newest {@code limit} messages older than {@code before}
   * (ordered by {@code seq}), returned oldest first. Blocking.
   *
   * @param before a message id of this room, or {@code null} for the newest messages
   * @param limit {@value ChatLimits#HISTORY_MIN_LIMIT}..{@value ChatLimits#HISTORY_MAX_LIMIT}
   * @throws NoSuchRoomException when the room does not exist
   * @throws IllegalArgumentException when {@code limit} is out of range or {@code before} is not a
   *     message of this room
   */
  MessagePage history(String roomId, String before, int limit);

  /**
   * The oldest {@code limit} messages of a room whose {@code seq} is greater than {@code after},
   * oldest first: what a client that last saw {@code after} missed. Blocking.
   *
   * @param after a {@code seq} (0 for the room's first messages); one at or beyond the room's last
   *     message gives an empty page
   * @param limit {@value ChatLimits#HISTORY_MIN_LIMIT}..{@value ChatLimits#HISTORY_MAX_LIMIT}
   * @throws NoSuchRoomException when the room does not exist
   * @throws IllegalArgumentException when {@code limit} is out of range or {@code after} is
   *     negative
   */
  MessagesAfter historyAfter(String roomId, long after, int limit);
}
