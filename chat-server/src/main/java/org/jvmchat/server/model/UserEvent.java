package org.jvmchat.server.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The argument of {@code UserJoined}, {@code UserLeft} and {@code UserTyping}. */
@JsonPropertyOrder({"roomId", "userId", "userName"})
public record UserEvent(
    @JsonProperty("roomId") String roomId,
    @JsonProperty("userId") String userId,
    @JsonProperty("userName") String userName) {}
