package org.jvmchat.persistence;

/** The room does not exist (the chat server answers 404). */
public class NoSuchRoomException extends ChatStoreException {
  private static final long serialVersionUID = 1L;

  private final String roomId;

  public NoSuchRoomException(String roomId) {
    super("no room with id " + roomId);
    this.roomId = roomId;
  }

  /** The id that was asked for. */
  public String roomId() {
    return roomId;
  }
}
