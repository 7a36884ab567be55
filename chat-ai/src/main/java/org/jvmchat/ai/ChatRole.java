package org.jvmchat.ai;

/** Who wrote a {@link PromptMessage}, as the chat-completions API names it. */
public enum ChatRole {
  /** Instructions that frame the conversation. */
  SYSTEM("system"),
  /** A person's message. */
  USER("user"),
  /** An earlier answer of the model. */
  ASSISTANT("assistant");

  private final String wireName;

  ChatRole(String wireName) {
    this.wireName = wireName;
  }

  /**
   * The value of the {@code role} field on the wire: {@code system}, {@code user} or {@code
   * assistant}.
   */
  public String wireName() {
    return wireName;
  }
}
