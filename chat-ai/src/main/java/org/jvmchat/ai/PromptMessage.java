package org.jvmchat.ai;

import java.util.Objects;

/**
 * One message of the conversation sent to the model.
 *
 * @param role who wrote it
 * @param content its text, sent exactly as given (may be empty, never null)
 */
public record PromptMessage(ChatRole role, String content) {

  public PromptMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  /** A {@link ChatRole#SYSTEM} message. */
  public static PromptMessage system(String content) {
    return new PromptMessage(ChatRole.SYSTEM, content);
  }

  /** A {@link ChatRole#USER} message. */
  public static PromptMessage user(String content) {
    return new PromptMessage(ChatRole.USER, content);
  }

  /** An {@link ChatRole#ASSISTANT} message (an earlier answer). */
  public static PromptMessage assistant(String content) {
    return new PromptMessage(ChatRole.ASSISTANT, content);
  }
}
