package org.jvmchat.ai;

import java.util.Objects;

/**
 * One message of the conversation sent to the model.
 *
 * @param role who wrote it
 * @param content its text, sent exactly as given (may be empty, never null)
 */
public record ChatMessage(ChatRole role, String content) {

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  /** A {@link ChatRole#SYSTEM} message. */
  public static ChatMessage system(String content) {
    return new ChatMessage(ChatRole.SYSTEM, content);
  }

  /** A {@link ChatRole#USER} message. */
  public static ChatMessage user(String content) {
    return new ChatMessage(ChatRole.USER, content);
  }

  /** An {@link ChatRole#ASSISTANT} message (an earlier answer). */
  public static ChatMessage assistant(String content) {
    return new ChatMessage(ChatRole.ASSISTANT, content);
  }
}
