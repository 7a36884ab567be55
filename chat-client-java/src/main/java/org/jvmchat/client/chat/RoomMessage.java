package org.jvmchat.client.chat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A jvmchat {@code Message}, as {@code ReceiveMessage} and the REST history carry it.
 *
 * @param seq its position in its room: 1, 2, 3, … with no gaps; 0 for a notice the server sends one
 *     user alone and does not store
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoomMessage(
    @JsonProperty("id") String id,
    @JsonProperty("roomId") String roomId,
    @JsonProperty("seq") long seq,
    @JsonProperty("senderId") String senderId,
    @JsonProperty("senderName") String senderName,
    @JsonProperty("content") String content,
    @JsonProperty("kind") String kind,
    @JsonProperty("createdAt") Instant createdAt) {}
