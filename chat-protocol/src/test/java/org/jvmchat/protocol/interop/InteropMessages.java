package org.jvmchat.protocol.interop;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;

/**
 * The messages exchanged with the official JS protocol classes. {@link #javaToJs()} must match the
 * expectations in {@code src/test/node/protocol-interop.test.mjs}, and {@link #jsToJava()} what
 * that test writes.
 */
final class InteropMessages {
  private InteropMessages() {}

  /** A chat message as the server broadcasts it in {@code ReceiveMessage}. */
  record ChatMessage(
      String id,
      String roomId,
      String senderId,
      String senderName,
      String content,
      String kind,
      Instant createdAt) {}

  /** The chat hub's other argument and result types (chat-server's model). */
  record UserEvent(String roomId, String userId, String userName) {}

  record AssistantChunk(String roomId, String messageId, String delta) {}

  record Room(String id, String name, boolean isPrivate, String createdBy, Instant createdAt) {}

  static final String CONTENT =
      "Héllo from the JVM 😀 with a record separator \u001e, quotes \" ' and <tags>; "
          + "long enough to be typical.";

  static List<HubMessage> javaToJs() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("list", Arrays.asList(1, "two", null, true));
    nested.put("n", 12345678901L);
    return List.of(
        InvocationMessage.send(
            "ReceiveMessage",
            new ChatMessage(
                "m1",
                "room-1",
                "alice",
                "Alice",
                CONTENT,
                "user",
                Instant.parse("2024-01-01T00:00:00.5Z"))),
        new InvocationMessage(Map.of("x", "y"), "s1", "GetName", List.of(), null),
        StreamItemMessage.of("2", 7),
        StreamItemMessage.of("2", 2.5),
        StreamItemMessage.of("2", new byte[] {1, 2, 3}),
        CompletionMessage.withResult("0", 42),
        CompletionMessage.withResult("1", null),
        CompletionMessage.empty("2"),
        CompletionMessage.withError("3", "boom"),
        StreamInvocationMessage.of("4", "Counter", 10),
        CancelInvocationMessage.of("4"),
        PingMessage.INSTANCE,
        new CloseMessage("Connection closed with an error.", true),
        CloseMessage.EMPTY,
        new AckMessage(36),
        new SequenceMessage(19),
        InvocationMessage.send("Nested", nested),
        InvocationMessage.send("UserJoined", new UserEvent("room-1", "bob", "Bob")),
        InvocationMessage.send("ReceiveAssistantChunk", new AssistantChunk("room-1", "m2", "Hel")),
        CompletionMessage.withResult(
            "5",
            new Room("room-1", "General", true, "alice", Instant.parse("2024-01-01T00:00:00.5Z"))),
        StreamItemMessage.of("6", OffsetDateTime.parse("2024-01-01T02:00:00.5+02:00")));
  }

  /** What the Node test writes with the official {@code writeMessage}, decoded generically. */
  static List<HubMessage> jsToJava() {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("a", 1);
    item.put("b", Arrays.asList(true, null));
    return List.of(
        InvocationMessage.invoke("0", "SendMessage", "room-1", CONTENT),
        InvocationMessage.send("SendTyping", "room-1"),
        new InvocationMessage(Map.of(), "2", "Upload", List.of(), List.of("1")),
        StreamItemMessage.of("1", item),
        StreamItemMessage.of("1", 2.5),
        CompletionMessage.empty("1"),
        StreamInvocationMessage.of("3", "StreamAssistant", "room-1", "hi"),
        CancelInvocationMessage.of("3"),
        CompletionMessage.withResult("s1", "Bob"),
        CompletionMessage.withError("s2", "Client didn't provide a result."),
        CompletionMessage.withResult("s3", null),
        CompletionMessage.withResult("s4", 12345678901L),
        new InvocationMessage(Map.of("x", "y"), "4", "Echo", List.of("e"), null),
        PingMessage.INSTANCE,
        CloseMessage.EMPTY,
        new AckMessage(36),
        new SequenceMessage(19));
  }
}
