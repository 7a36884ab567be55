package org.jvmchat.persistence;

import java.util.List;

/**
 * The input limits every store enforces, so the chat server can reuse them for its own checks and
 * error messages. Lengths count Unicode code points (what PostgreSQL's {@code char_length} counts
 * for UTF-8), so an emoji is one character.
 *
 * <p>All text must be valid Unicode without NUL: U+0000 and unpaired UTF-16 surrogates are
 * rejected, because PostgreSQL cannot store the first and would silently replace the second, and
 * text is stored byte-exactly or not at all.
 */
public final class ChatLimits {
  /** Shortest room name: {@value}. A name must also contain a character that is not whitespace. */
  public static final int ROOM_NAME_MIN_LENGTH = 1;

  /** Longest room name: {@value}. */
  public static final int ROOM_NAME_MAX_LENGTH = 100;

  /** Shortest message content: {@value}. Whitespace-only content is allowed. */
  public static final int CONTENT_MIN_LENGTH = 1;

  /** Longest message content: {@value}. */
  public static final int CONTENT_MAX_LENGTH = 4000;

  /** Shortest user id: {@value}. */
  public static final int USER_ID_MIN_LENGTH = 1;

  /** Longest user id: {@value}. User ids must not contain control characters. */
  public static final int USER_ID_MAX_LENGTH = 64;

  /** Shortest display name (a message's sender name): {@value}. */
  public static final int USER_NAME_MIN_LENGTH = 1;

  /** Longest display name (a message's sender name): {@value}. */
  public static final int USER_NAME_MAX_LENGTH = 100;

  /** History page size when the caller gives none: {@value}. */
  public static final int HISTORY_DEFAULT_LIMIT = 50;

  /** Smallest history page: {@value}. */
  public static final int HISTORY_MIN_LIMIT = 1;

  /** Largest history page: {@value}. */
  public static final int HISTORY_MAX_LIMIT = 200;

  /** Most messages one {@link MessageStore#appendAll} call may store: {@value}. */
  public static final int APPEND_ALL_MAX_MESSAGES = 1000;

  private ChatLimits() {}

  /**
   * Checks a room name.
   *
   * @return {@code name}
   * @throws IllegalArgumentException with a readable message when it breaks a limit
   */
  public static String requireRoomName(String name) {
    requireText("name", name, ROOM_NAME_MIN_LENGTH, ROOM_NAME_MAX_LENGTH);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return name;
  }

  /**
   * Checks message content.
   *
   * @return {@code content}
   * @throws IllegalArgumentException with a readable message when it breaks a limit
   */
  public static String requireContent(String content) {
    return requireText("content", content, CONTENT_MIN_LENGTH, CONTENT_MAX_LENGTH);
  }

  /**
   * Checks a user id.
   *
   * @param field the name to show in the error, e.g. {@code userId} or {@code senderId}
   * @return {@code userId}
   * @throws IllegalArgumentException with a readable message when it breaks a limit
   */
  public static String requireUserId(String field, String userId) {
    requireText(field, userId, USER_ID_MIN_LENGTH, USER_ID_MAX_LENGTH);
    if (userId.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(field + " must not contain control characters");
    }
    return userId;
  }

  /**
   * Checks a display name.
   *
   * @param field the name to show in the error, e.g. {@code senderName}
   * @return {@code userName}
   * @throws IllegalArgumentException with a readable message when it breaks a limit
   */
  public static String requireUserName(String field, String userName) {
    return requireText(field, userName, USER_NAME_MIN_LENGTH, USER_NAME_MAX_LENGTH);
  }

  /**
   * Checks the {@code after} of {@link MessageStore#historyAfter}.
   *
   * @return {@code after}
   * @throws IllegalArgumentException when it is negative
   */
  public static long requireAfterSeq(long after) {
    if (after < 0) {
      throw new IllegalArgumentException(
          "after must be a message seq, 0 or more (was " + after + ")");
    }
    return after;
  }

  /**
   * Checks a history page size.
   *
   * @return {@code limit}
   * @throws IllegalArgumentException when it is outside {@value #HISTORY_MIN_LIMIT}..{@value
   *     #HISTORY_MAX_LIMIT}
   */
  public static int requireHistoryLimit(int limit) {
    if (limit < HISTORY_MIN_LIMIT || limit > HISTORY_MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between "
              + HISTORY_MIN_LIMIT
              + " and "
              + HISTORY_MAX_LIMIT
              + " (was "
              + limit
              + ")");
    }
    return limit;
  }

  /**
   * Checks an {@link MessageStore#appendAll} argument: 1..{@value #APPEND_ALL_MAX_MESSAGES}
   * messages, none null.
   *
   * @return {@code messages}
   * @throws IllegalArgumentException with a readable message otherwise
   */
  public static List<NewMessage> requireAppendBatch(List<NewMessage> messages) {
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty");
    }
    if (messages.size() > APPEND_ALL_MAX_MESSAGES) {
      throw new IllegalArgumentException(
          "at most "
              + APPEND_ALL_MAX_MESSAGES
              + " messages per appendAll (was "
              + messages.size()
              + ")");
    }
    for (NewMessage m : messages) {
      if (m == null) {
        throw new IllegalArgumentException("messages must not contain null");
      }
    }
    return messages;
  }

  /**
   * Checks that {@code value} is valid NUL-free Unicode of {@code min..max} code points.
   *
   * @return {@code value}
   * @throws IllegalArgumentException with a readable message naming {@code field}
   */
  public static String requireText(String field, String value, int min, int max) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    int length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\0') {
        throw new IllegalArgumentException(
            field + " must not contain the NUL character (U+0000) (at index " + i + ")");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException(
              field + " is not valid Unicode: unpaired surrogate at index " + i);
        }
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException(
            field + " is not valid Unicode: unpaired surrogate at index " + i);
      }
      length++;
    }
    if (length < min || length > max) {
      throw new IllegalArgumentException(
          field
              + " must be "
              + (min == max ? String.valueOf(min) : min + " to " + max)
              + " characters long (was "
              + length
              + ")");
    }
    return value;
  }
}
