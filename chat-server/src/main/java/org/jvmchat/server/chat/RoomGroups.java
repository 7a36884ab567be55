package org.jvmchat.server.chat;

/**
 * The hub group of each room: what the chat hub joins a connection to and what the assistant and
 * presence send to. One place, so that the senders need not know the hub.
 */
public final class RoomGroups {
  private RoomGroups() {}

  /** The hub group of a room. */
  public static String of(String roomId) {
    return "room:" + roomId;
  }
}
