package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/** A byte stream cut anywhere yields the same messages as the whole stream. */
class HubMessageReaderTest {

  static Stream<HubProtocol> protocols() {
    return Stream.of(new JsonHubProtocol(), new MessagePackHubProtocol());
  }

  /** One of every message type, with headers, nulls, non-ASCII text and a payload over 127 B. */
  static List<HubMessage> sample() {
    return List.of(
        InvocationMessage.invoke("0", "Send", 42, "Tést 😀"),
        InvocationMessage.send("ReceiveMessage", Map.of("content", "x".repeat(300))),
        new InvocationMessage(Map.of("h", "v"), "1", "Upload", List.of(), List.of("0")),
        StreamItemMessage.of("0", "a"),
        new StreamItemMessage(Map.of(), "0", null),
        CompletionMessage.empty("0"),
        CompletionMessage.withResult("1", null),
        CompletionMessage.withResult("2", List.of(1, "two")),
        CompletionMessage.withError("3", "boom"),
        StreamInvocationMessage.of("4", "Counter", 10, 5),
        CancelInvocationMessage.of("4"),
        PingMessage.INSTANCE,
        new AckMessage(36),
        new SequenceMessage(70000),
        new CloseMessage("Connection closed with an error.", true));
  }

  private static byte[] encode(HubProtocol protocol, List<HubMessage> messages) {
    byte[] bytes = new byte[0];
    for (HubMessage m : messages) {
      bytes = Bytes.concat(bytes, protocol.toBytes(m));
    }
    return bytes;
  }

  private static List<HubMessage> feedInChunks(HubProtocol protocol, byte[] bytes, int[] cuts) {
    HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768);
    List<HubMessage> out = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      reader.feed(Arrays.copyOfRange(bytes, from, cut), out::add);
      from = cut;
    }
    reader.feed(Arrays.copyOfRange(bytes, from, bytes.length), out::add);
    assertThat(reader.bufferedBytes()).isZero();
    reader.finish();
    return out;
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void wholeBufferYieldsEveryMessage(HubProtocol protocol) {
    assertThat(feedInChunks(protocol, encode(protocol, sample()), new int[0]))
        .containsExactlyElementsOf(sample());
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void splitAtEverySplitPointYieldsTheSameMessages(HubProtocol protocol) {
    byte[] bytes = encode(protocol, sample());
    for (int cut = 0; cut <= bytes.length; cut++) {
      int at = cut;
      assertThat(feedInChunks(protocol, bytes, new int[] {cut}))
          .as("split at %d of %d", at, bytes.length)
          .containsExactlyElementsOf(sample());
    }
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void oneByteChunksYieldTheSameMessages(HubProtocol protocol) {
    byte[] bytes = encode(protocol, sample());
    int[] cuts = new int[bytes.length];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i;
    }
    assertThat(feedInChunks(protocol, bytes, cuts)).containsExactlyElementsOf(sample());
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void randomMultiWaySplitsYieldTheSameMessages(HubProtocol protocol) {
    byte[] bytes = encode(protocol, sample());
    long seed = 20261128L;
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      int[] cuts = random.ints(1 + random.nextInt(8), 0, bytes.length + 1).sorted().toArray();
      assertThat(feedInChunks(protocol, bytes, cuts))
          .as("seed %d round %d cuts %s", seed, round, Arrays.toString(cuts))
          .containsExactlyElementsOf(sample());
    }
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void directAndReadOnlyBuffersWork(HubProtocol protocol) {
    byte[] bytes = encode(protocol, sample());
    HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768);
    List<HubMessage> out = new ArrayList<>();
    int half = bytes.length / 2;
    ByteBuffer direct = ByteBuffer.allocateDirect(half);
    direct.put(bytes, 0, half).flip();
    reader.feed(direct, out::add);
    reader.feed(ByteBuffer.wrap(bytes, half, bytes.length - half).asReadOnlyBuffer(), out::add);
    assertThat(out).containsExactlyElementsOf(sample());
    // A whole-message direct buffer takes the no-copy-into-pending path.
    ByteBuffer whole = ByteBuffer.allocateDirect(bytes.length);
    whole.put(bytes).flip();
    out.clear();
    new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768).feed(whole, out::add);
    assertThat(out).containsExactlyElementsOf(sample());
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void aPauseKeepsTheRestUnparsedAndABigHeldBufferIsReleasedOnceEmpty(HubProtocol protocol) {
    // 200 messages of about 1 KB: held whole while paused, as a POST's body at the invocation
    // bound.
    List<HubMessage> messages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      messages.add(InvocationMessage.invoke(String.valueOf(i), "Echo", "y".repeat(1000)));
    }
    byte[] bytes = encode(protocol, messages);
    HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768);
    List<HubMessage> out = new ArrayList<>();
    boolean[] paused = {false};
    java.util.function.Consumer<HubMessage> sink =
        m -> {
          out.add(m);
          paused[0] = out.size() % 50 == 0; // the consumer is full every 50 messages
        };

    assertThat(reader.feed(ByteBuffer.wrap(bytes), sink, () -> paused[0])).isTrue();
    assertThat(out).hasSize(50);
    assertThat(reader.bufferedBytes()).isGreaterThan(HubMessageReader.KEPT_BUFFER_BYTES);
    while (reader.bufferedBytes() > 0) {
      paused[0] = false;
      reader.feed(ByteBuffer.allocate(0), sink, () -> paused[0]);
    }
    assertThat(out).containsExactlyElementsOf(messages);
    assertThat(reader.bufferCapacity()).isZero(); // not kept for the connection's life
    // Small partial messages keep their buffer, as before.
    byte[] one = protocol.toBytes(InvocationMessage.send("M", "x"));
    reader.feed(Arrays.copyOf(one, one.length - 1), out::add);
    reader.feed(Arrays.copyOfRange(one, one.length - 1, one.length), out::add);
    assertThat(reader.bufferCapacity()).isPositive().isLessThanOrEqualTo(one.length * 2);
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void aStreamEndingMidMessageIsAnError(HubProtocol protocol) {
    byte[] bytes = protocol.toBytes(InvocationMessage.send("M", "x"));
    HubMessageReader reader = new HubMessageReader(protocol, InvocationBinder.GENERIC, 32768);
    List<HubMessage> out = new ArrayList<>();
    reader.feed(Arrays.copyOf(bytes, bytes.length - 1), out::add);
    assertThat(out).isEmpty();
    assertThat(reader.bufferedBytes()).isEqualTo(bytes.length - 1);
    assertThatThrownBy(reader::finish)
        .isExactlyInstanceOf(HubProtocolException.class)
        .hasMessageContaining("Connection terminated while reading a message");
  }
}
