package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import org.jvmchat.persistence.ChatMessage;

/**
 * A message on the wire: {@code {"id","roomId","seq","senderId","senderName","content","kind",
 * "createdAt"}}, {@code seq} its position in its room (1, 2, 3, … with no gaps), {@code kind} one
 * of {@code user}, {@code assistant}, {@code system}.
 */
@JsonPropertyOrder({
  "id",
  "roomId",
  "seq",
  "senderId",
  "senderName",
  "content",
  "kind",
  "createdAt"
})
public record MessageDto(
    @JsonProperty("id") String id,
    @JsonProperty("roomId") String roomId,
    @JsonProperty("seq") long seq,
    @JsonProperty("senderId") String senderId,
    @JsonProperty("senderName") String senderName,
    @JsonProperty("content") String content,
    @JsonProperty("kind") String kind,
    @JsonProperty("createdAt") Instant createdAt) {

  public static MessageDto of(ChatMessage m) {
    return new MessageDto(
        m.id(),
        m.roomId(),
        m.seq(),
        m.senderId(),
        m.senderName(),
        m.content(),
        m.kind().wireName(),
        m.createdAt());
  }
}
