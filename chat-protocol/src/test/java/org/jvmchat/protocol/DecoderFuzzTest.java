package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * Random bytes and mutations of valid frames fed to both decoders: only valid messages or a {@link
 * HubProtocolException} may come out. Bounded and reproducible: {@code -Dfuzz.seed=N} and {@code
 * -Dfuzz.cases=N} (default 20,000 per protocol); a failure names its seed and case.
 */
class DecoderFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_2026L);
  private static final int CASES = Integer.getInteger("fuzz.cases", 20_000);
  private static final int MAX = 4096;
  private static final byte[] INTERESTING = {
    0x00,
    0x01,
    0x06,
    0x07,
    0x1e,
    0x22,
    0x5b,
    0x7b,
    0x7d,
    0x7f,
    (byte) 0x80,
    (byte) 0x90,
    (byte) 0x91,
    (byte) 0x96,
    (byte) 0xc0,
    (byte) 0xc1,
    (byte) 0xc4,
    (byte) 0xcf,
    (byte) 0xd9,
    (byte) 0xdb,
    (byte) 0xdd,
    (byte) 0xdf,
    (byte) 0xff
  };

  /** Types for some targets, so binding paths are fuzzed too. */
  private static final InvocationBinder TYPED =
      new InvocationBinder() {
        @Override
        public List<Type> parameterTypes(String target) {
          return switch (target) {
            case "Send" -> List.of(String.class, int.class);
            case "ReceiveMessage" -> List.of(Object.class);
            case "Counter" -> List.of(int.class);
            default -> null;
          };
        }

        @Override
        public Type returnType(String invocationId) {
          return Integer.class;
        }

        @Override
        public Type streamItemType(String streamId) {
          return String.class;
        }
      };

  static Stream<HubProtocol> protocols() {
    return Stream.of(new JsonHubProtocol(), new MessagePackHubProtocol());
  }

  private static List<byte[]> validFrames(HubProtocol protocol) {
    List<byte[]> frames = new ArrayList<>();
    for (HubMessage m : HubMessageReaderTest.sample()) {
      frames.add(protocol.toBytes(m));
    }
    frames.add(protocol.toBytes(InvocationMessage.invoke("1", "Send", "a", 1)));
    frames.add(protocol.toBytes(StreamInvocationMessage.of("2", "Counter", 3)));
    return frames;
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void onlyMessagesOrHubProtocolExceptionsComeOut(HubProtocol protocol) {
    System.out.printf("%s fuzz: seed %d, %d cases%n", protocol.name(), SEED, CASES);
    List<byte[]> frames = validFrames(protocol);
    Random random = new Random(SEED ^ protocol.name().hashCode());
    int[] outcomes = new int[2]; // parsed, rejected
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          for (int i = 0; i < CASES; i++) {
            byte[] input = i % 4 == 0 ? randomBytes(random) : mutate(random, frames);
            runCase(protocol, input, random.nextBoolean(), random.nextInt(4), i, outcomes);
          }
        });
    // Both outcomes happen, so the mutations are neither all fatal nor all harmless.
    assertThat(outcomes[0]).as("cases that parsed").isPositive();
    assertThat(outcomes[1]).as("cases that were rejected").isPositive();
  }

  @Test
  void handshakeParserOnlyReturnsRequestsOrThrowsHubProtocolException() {
    Random random = new Random(SEED);
    byte[] valid =
        "{\"protocol\":\"messagepack\",\"version\":1}\u001e".getBytes(StandardCharsets.UTF_8);
    List<byte[]> frames = List.of(valid);
    for (int i = 0; i < CASES / 4; i++) {
      byte[] input = i % 4 == 0 ? randomBytes(random) : mutate(random, frames);
      try {
        HandshakeRequest r = HandshakeProtocol.tryParseRequest(ByteBuffer.wrap(input), MAX);
        if (r != null) {
          assertThat(r.protocol()).isNotEmpty();
        }
        HandshakeProtocol.tryParseResponse(ByteBuffer.wrap(input), MAX);
      } catch (HubProtocolException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (Throwable t) {
        throw new AssertionError(failure("handshake", i, input), t);
      }
    }
  }

  private static void runCase(
      HubProtocol protocol, byte[] input, boolean typed, int chunking, int i, int[] outcomes) {
    HubMessageReader reader =
        new HubMessageReader(protocol, typed ? TYPED : InvocationBinder.GENERIC, MAX);
    List<HubMessage> out = new ArrayList<>();
    try {
      if (chunking == 0) {
        for (byte b : input) {
          reader.feed(new byte[] {b}, out::add);
        }
      } else {
        reader.feed(input, out::add);
      }
      outcomes[0]++;
    } catch (HubProtocolException expected) {
      assertThat(expected.getMessage()).as(failure(protocol.name(), i, input)).isNotBlank();
      outcomes[1]++;
    } catch (Throwable t) {
      throw new AssertionError(failure(protocol.name(), i, input), t);
    }
    for (HubMessage m : out) {
      assertThat(m).as(failure(protocol.name(), i, input)).isNotNull();
    }
  }

  private static String failure(String what, int i, byte[] input) {
    return what
        + " fuzz case "
        + i
        + " (reproduce with -Dfuzz.seed="
        + SEED
        + "): "
        + Bytes.hex(Arrays.copyOf(input, Math.min(input.length, 200)));
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(64)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] mutate(Random random, List<byte[]> frames) {
    byte[] b = frames.get(random.nextInt(frames.size())).clone();
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds && b.length > 0; r++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(7)) {
        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[at] = INTERESTING[random.nextInt(INTERESTING.length)];
        case 2 -> b[at] = (byte) random.nextInt(256);
        case 3 -> b = Arrays.copyOf(b, at); // truncate
        case 4 -> { // delete one byte
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + 1, c, at, b.length - at - 1);
          b = c;
        }
        case 5 -> { // insert an interesting byte
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = INTERESTING[random.nextInt(INTERESTING.length)];
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        default -> // splice in another frame
            b = Bytes.concat(Arrays.copyOf(b, at), frames.get(random.nextInt(frames.size())));
      }
    }
    return b;
  }
}
