package org.jvmchat.protocol.bench;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Encode and decode of a typical chat broadcast, {@code ReceiveMessage(Message)}, in both
 * protocols. Decoding binds the argument to the record (what a typed client handler does); {@code
 * decodeGeneric} binds it to a map (what a relay does). Run: {@code mvn -pl chat-protocol -Pbench
 * -DskipTests test} (see the module README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HubProtocolBenchmark {

  /** The chat server's Message (see CONTRACT.md). */
  public record Message(
      String id,
      String roomId,
      String senderId,
      String senderName,
      String content,
      String kind,
      Instant createdAt) {}

  private static final InvocationBinder TYPED =
      new InvocationBinder() {
        private final List<Type> types = List.of(Message.class);

        @Override
        public List<Type> parameterTypes(String target) {
          return types;
        }
      };

  @Param({"json", "messagepack"})
  public String protocolName;

  private HubProtocol protocol;
  private HubMessage message;
  private byte[] frame;

  @Setup
  public void setUp() {
    protocol = protocolName.equals("json") ? new JsonHubProtocol() : new MessagePackHubProtocol();
    message =
        InvocationMessage.send(
            "ReceiveMessage",
            new Message(
                "01JD6Q2M8X4V7N3K5T9W1Y2Z3A",
                "room-general",
                "alice",
                "Alice Liddell",
                "Has anyone tried the new build? The reconnect after a network drop feels instant"
                    + " now. Nice!",
                "user",
                Instant.parse("2026-11-28T03:15:42.123Z")));
    frame = protocol.toBytes(message);
  }

  @Benchmark
  public byte[] encode() {
    return protocol.toBytes(message);
  }

  @Benchmark
  public HubMessage decode() {
    return protocol.tryParse(ByteBuffer.wrap(frame), TYPED, 32768);
  }

  @Benchmark
  public HubMessage decodeGeneric() {
    return protocol.tryParse(ByteBuffer.wrap(frame), InvocationBinder.GENERIC, 32768);
  }
}
