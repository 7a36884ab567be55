package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The argument of {@code ReceiveAssistantChunk}: a piece of an assistant reply still being written.
 * The pieces of one {@code messageId}, concatenated in order, are the content of the {@code
 * ReceiveMessage} with that id that follows them.
 */
@JsonPropertyOrder({"roomId", "messageId", "delta"})
public record AssistantChunk(
    @JsonProperty("roomId") String roomId,
    @JsonProperty("messageId") String messageId,
    @JsonProperty("delta") String delta) {}
