package org.jvmchat.persistence;

import java.util.Locale;

/** Who wrote a message. The wire name ({@link #wireName()}) is what the chat contract shows. */
public enum MessageKind {
  /** Written by a person. */
  USER,
  /** Written by the assistant. */
  ASSISTANT,
  /** Written by the server (joins, notices). */
  SYSTEM;

  /** {@code user}, {@code assistant} or {@code system}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind for a wire name.
   *
   * @throws IllegalArgumentException when {@code wireName} is not {@code user}, {@code assistant}
   *     or {@code system}
   */
  public static MessageKind fromWireName(String wireName) {
    if (wireName != null) {
      for (MessageKind kind : values()) {
        if (kind.wireName().equals(wireName)) {
          return kind;
        }
      }
    }
    throw new IllegalArgumentException(
        "kind must be one of user, assistant, system (was " + wireName + ")");
  }
}
