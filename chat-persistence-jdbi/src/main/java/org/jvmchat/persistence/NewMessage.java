package org.jvmchat.persistence;

/**
 * A message to store. Validated on construction against {@link ChatLimits}: a component that breaks
 * a limit makes the constructor throw {@link IllegalArgumentException} with a readable message.
 *
 * @param id the id to store it under, or {@code null} to let the store make one; give one when the
 *     id must be known before the message is stored (the assistant's streamed reply)
 * @param roomId the room
 * @param senderId the author's user id
 * @param senderName the author's display name
 * @param content the text, stored exactly as given
 * @param kind user, assistant or system
 */
public record NewMessage(
    String id,
    String roomId,
    String senderId,
    String senderName,
    String content,
    MessageKind kind) {
  public NewMessage {
    if (id != null) {
      ChatIds.requireValid("id", id);
    }
    if (roomId == null) {
      throw new IllegalArgumentException("roomId is required");
    }
    ChatLimits.requireUserId("senderId", senderId);
    ChatLimits.requireUserName("senderName", senderName);
    ChatLimits.requireContent(content);
    if (kind == null) {
      throw new IllegalArgumentException("kind is required");
    }
  }

  /** A user's message, with an id made by the store. */
  public static NewMessage user(String roomId, String senderId, String senderName, String content) {
    return new NewMessage(null, roomId, senderId, senderName, content, MessageKind.USER);
  }

  /** This message with the given id (see {@link ChatIds#newId()}). */
  public NewMessage withId(String newId) {
    return new NewMessage(newId, roomId, senderId, senderName, content, kind);
  }
}
