package org.jvmchat.server.chat;

/**
 * A request the chat cannot serve, with a message a person can read. REST answers it with the
 * {@link #status() status}; the hub completes the invocation with the message.
 */
public class ChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;

  public ChatException(int status, String title, String message) {
    super(message);
    this.status = status;
    this.title = title;
  }

  /** The HTTP status: 400 bad input, 403 forbidden, 404 not found, 503 unavailable. */
  public int status() {
    return status;
  }

  /** The short problem title, e.g. {@code Room not found}. */
  public String title() {
    return title;
  }

  public static ChatException badInput(String message) {
    return new ChatException(400, "Invalid request", message);
  }

  public static ChatException roomNotFound(String roomId) {
    return new ChatException(404, "Room not found", "There is no room with id '" + roomId + "'.");
  }

  public static ChatException forbidden(String roomId) {
    return new ChatException(
        403,
        "Forbidden",
        "Room '" + roomId + "' is private and you are not one of its participants.");
  }

  public static ChatException notParticipant(String roomId) {
    return new ChatException(
        403,
        "Forbidden",
        "Only a participant of room '" + roomId + "' may add participants to it.");
  }

  public static ChatException unavailable(String message) {
    return new ChatException(503, "Service unavailable", message);
  }
}
