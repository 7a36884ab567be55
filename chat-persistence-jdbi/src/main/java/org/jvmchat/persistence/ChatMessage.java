package org.jvmchat.persistence;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored message. The contract's JSON shows every component except {@code seq}.
 *
 * @param id the message id (a {@link ChatIds time-ordered id}), unique across rooms
 * @param roomId the room it belongs to
 * @param seq its position in the room: 1, 2, 3, ... without gaps for the messages of one store,
 *     increasing in the order the messages were stored; history is ordered by it
 * @param senderId the user id of the author (for assistant and system messages, a fixed id the
 *     server chooses)
 * @param senderName the display name of the author
 * @param content the text, exactly as sent
 * @param kind user, assistant or system
 * @param createdAt when it was stored (microsecond precision, UTC)
 */
public record ChatMessage(
    String id,
    String roomId,
    long seq,
    String senderId,
    String senderName,
    String content,
    MessageKind kind,
    Instant createdAt) {
  public ChatMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(roomId, "roomId");
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(senderName, "senderName");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
  }
}
