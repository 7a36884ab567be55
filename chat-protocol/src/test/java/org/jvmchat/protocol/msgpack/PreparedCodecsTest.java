package org.jvmchat.protocol.msgpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jvmchat.protocol.Bytes.hex;
import static org.jvmchat.protocol.Bytes.parseAll;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.Bytes;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The prepared writers and readers agree with the payload mapper (Jackson), which stays the
 * reference: same bytes written, same values bound, same failures; types Jackson customises are
 * left to it.
 */
class PreparedCodecsTest {
  private final MessagePackHubProtocol protocol = new MessagePackHubProtocol();
  private final ObjectMapper mapper = protocol.objectMapper();

  record Plain(String name, int count, long big, boolean flag, double ratio, Instant at) {}

  @JsonPropertyOrder({"b", "a"})
  record Renamed(@JsonProperty("a") String first, @JsonProperty("b") List<Plain> second) {}

  /** A customisation the prepared writer does not model: Jackson must write it. */
  record Formatted(@JsonFormat(shape = JsonFormat.Shape.STRING) int number, String text) {}

  /** Nulls left out: also Jackson's. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Sparse(String a, String b) {}

  /** A POJO with getters and setters. */
  public static final class Pojo {
    private String name;
    private int size;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public int getSize() {
      return size;
    }

    public void setSize(int size) {
      this.size = size;
    }
  }

  record Dated(OffsetDateTime when) {}

  /** A record that validates its values: a refusal fails the invocation, not the connection. */
  record Checked(String name) {
    Checked {
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
    }
  }

  @Test
  void aConstructorThatRefusesFailsOnlyTheInvocation() {
    InvocationBinder binder = typed(Checked.class);
    assertThat(
            parseAll(
                protocol, binder, protocol.toBytes(InvocationMessage.send("M", new Checked("a")))))
        .containsExactly(InvocationMessage.send("M", new Checked("a")));
    Map<String, Object> empty = Map.of("name", "");
    List<HubMessage> read =
        parseAll(protocol, binder, protocol.toBytes(InvocationMessage.invoke("1", "M", empty)));
    assertThat(read.get(0)).isInstanceOf(InvocationBindingFailureMessage.class);
    assertThat(((InvocationBindingFailureMessage) read.get(0)).reason())
        .contains("name must not be empty");
  }

  @Test
  void bindsPojosThroughTheirSetters() {
    Pojo pojo = new Pojo();
    pojo.setName("p");
    pojo.setSize(3);
    for (int round = 0; round < 3; round++) {
      InvocationMessage m =
          (InvocationMessage)
              parseAll(
                      protocol,
                      typed(Pojo.class),
                      protocol.toBytes(InvocationMessage.send("M", pojo)))
                  .get(0);
      Pojo read = (Pojo) m.arguments().get(0);
      assertThat(read.getName()).isEqualTo("p");
      assertThat(read.getSize()).isEqualTo(3);
    }
  }

  @Test
  void writesWhatJacksonWritesForEveryKindOfValue() throws Exception {
    Pojo pojo = new Pojo();
    pojo.setName("p");
    pojo.setSize(3);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("x", List.of(1, 2.5, 2.5f, (short) 7, (byte) -3, "s", true));
    map.put("nil", null);
    Map<Object, Object> intKeys = new LinkedHashMap<>();
    intKeys.put(1, "one");
    Plain plain = new Plain("n", -5, 1L << 40, true, 0.25, Instant.parse("2024-01-01T00:00:00Z"));
    List<Object> values =
        Arrays.asList(
            plain,
            new Renamed("f", List.of(plain, plain)),
            new Formatted(42, "t"),
            new Sparse("a", null),
            pojo,
            map,
            intKeys,
            new byte[] {1, 2, 3},
            Instant.parse("2024-01-01T00:00:00.5Z"),
            Instant.parse("2600-01-01T00:00:00.000000001Z"),
            Long.MIN_VALUE,
            Integer.MAX_VALUE,
            -0.0d,
            "héllo 😀",
            null,
            java.util.UUID.fromString("00000000-0000-0000-0000-000000000001"),
            java.time.DayOfWeek.MONDAY);
    for (int round = 0; round < 2; round++) {
      for (Object value : values) {
        byte[] frame = protocol.toBytes(StreamItemMessage.of("2", value));
        int prefix = (frame[0] & 0x80) == 0 ? 1 : 2;
        byte[] item = Arrays.copyOfRange(frame, prefix + 5, frame.length);
        assertThat(hex(item)).as("%s", value).isEqualTo(hex(mapper.writeValueAsBytes(value)));
      }
    }
  }

  @Test
  void bindsRecordsListsAndMapsAsJacksonDoes() throws Exception {
    Plain plain = new Plain("n", -5, 1L << 40, true, 0.25, Instant.parse("2024-01-01T00:00:00Z"));
    Renamed renamed = new Renamed("f", List.of(plain));
    InvocationBinder binder =
        typed(
            Renamed.class,
            new ParameterizedTypeOf(List.class, Plain.class),
            new ParameterizedTypeOf(Map.class, String.class, Plain.class));
    InvocationMessage sent =
        InvocationMessage.send("M", renamed, List.of(plain, plain), Map.of("k", plain));
    for (int round = 0; round < 3; round++) {
      List<HubMessage> read = parseAll(protocol, binder, protocol.toBytes(sent));
      assertThat(read).containsExactly(sent);
    }
  }

  @Test
  void aValueOfTheWrongShapeFailsAsJacksonSaysEvenAfterTheFastPathWarmedUp() {
    InvocationBinder binder = typed(Plain.class);
    Plain plain = new Plain("n", 1, 2, false, 0.5, Instant.parse("2024-01-01T00:00:00Z"));
    parseAll(protocol, binder, protocol.toBytes(InvocationMessage.send("M", plain)));
    // {"name": 5, ...}: a number for a string.
    Map<String, Object> wrong = new LinkedHashMap<>();
    wrong.put("name", 5);
    wrong.put("count", 1);
    wrong.put("big", 2);
    wrong.put("flag", false);
    wrong.put("ratio", 0.5);
    List<HubMessage> read =
        parseAll(protocol, binder, protocol.toBytes(InvocationMessage.invoke("7", "M", wrong)));
    assertThat(read).hasSize(1);
    assertThat(read.get(0)).isInstanceOf(InvocationBindingFailureMessage.class);
    assertThat(((InvocationBindingFailureMessage) read.get(0)).reason())
        .startsWith("Error binding argument 1 to")
        .contains("Plain");
  }

  @Test
  void aMissingPropertyBindsAsJacksonBindsIt() throws Exception {
    InvocationBinder binder = typed(Sparse.class, Pojo.class);
    byte[] frame = Bytes.frame("96 01 80 c0 a1 4d 92 81 a1 61 a1 78 81 a4 6e 61 6d 65 a1 79 90");
    InvocationMessage m = (InvocationMessage) parseAll(protocol, binder, frame).get(0);
    assertThat(m.arguments().get(0)).isEqualTo(new Sparse("x", null));
    assertThat(((Pojo) m.arguments().get(1)).getName()).isEqualTo("y");
  }

  @Test
  void writesOffsetDateTimeAsAspNetCoresDateTimeOffset() throws Exception {
    // [timestamp of the local time 2024-01-01T02:00:00 taken as UTC, 120 minutes]
    OffsetDateTime when = OffsetDateTime.parse("2024-01-01T02:00:00+02:00");
    byte[] frame = protocol.toBytes(StreamItemMessage.of("2", when));
    assertThat(hex(Arrays.copyOfRange(frame, 6, frame.length)))
        .isEqualTo("92 d6 ff 65 92 1c a0 78");
    assertThat(hex(mapper.writeValueAsBytes(when))).isEqualTo("92 d6 ff 65 92 1c a0 78");
    OffsetDateTime west = OffsetDateTime.parse("2024-01-01T00:00:00.5-05:30");
    for (int round = 0; round < 2; round++) {
      InvocationMessage sent = InvocationMessage.send("M", new Dated(when), west);
      assertThat(
              parseAll(protocol, typed(Dated.class, OffsetDateTime.class), protocol.toBytes(sent)))
          .containsExactly(sent);
    }
    assertThat(mapper.readValue(mapper.writeValueAsBytes(west), OffsetDateTime.class))
        .isEqualTo(west);
  }

  /** Random MessagePack values bound generically: exactly what Jackson's untyped binding gives. */
  @Test
  void bindsRandomValuesGenericallyAsJacksonDoes() throws Exception {
    Random random = new Random(28);
    for (int i = 0; i < 3000; i++) {
      MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
      p.packArrayHeader(6).packInt(1).packMapHeader(0).packNil().packString("M");
      p.packArrayHeader(1);
      randomValue(p, random, 0);
      p.packArrayHeader(0);
      byte[] body = p.toByteArray();
      byte[] frame = Bytes.frame(hex(body));
      InvocationMessage m = (InvocationMessage) parseAll(protocol, frame).get(0);
      // The argument's bytes start after 96 01 80 c0 a1 4d 91.
      Object jackson = mapper.readValue(body, 7, body.length - 8, Object.class);
      assertThat(deepToString(m.arguments().get(0))).isEqualTo(deepToString(jackson));
    }
  }

  private static void randomValue(MessageBufferPacker p, Random r, int depth) throws Exception {
    switch (r.nextInt(depth > 3 ? 11 : 13)) {
      case 0 -> p.packNil();
      case 1 -> p.packBoolean(r.nextBoolean());
      case 2 -> p.packInt(r.nextInt());
      case 3 -> p.packLong(r.nextLong());
      case 4 -> p.packBigInteger(new java.math.BigInteger(64, r));
      case 5 -> p.packFloat(r.nextFloat());
      case 6 -> p.packDouble(r.nextDouble());
      case 7 -> p.packString("s" + r.nextInt(100));
      case 8 -> {
        byte[] b = new byte[r.nextInt(4)];
        r.nextBytes(b);
        p.packBinaryHeader(b.length).writePayload(b);
      }
      case 9 -> p.packTimestamp(Instant.ofEpochSecond(r.nextInt(1 << 30), r.nextInt(1000)));
      case 10 -> {
        p.packExtensionTypeHeader((byte) 5, 2).writePayload(new byte[] {1, 2});
      }
      case 11 -> {
        int n = r.nextInt(4);
        p.packArrayHeader(n);
        for (int i = 0; i < n; i++) {
          randomValue(p, r, depth + 1);
        }
      }
      default -> {
        int n = r.nextInt(4);
        p.packMapHeader(n);
        for (int i = 0; i < n; i++) {
          if (r.nextInt(8) == 0) {
            p.packInt(i); // a non-string key: left to Jackson
          } else {
            p.packString("k" + i);
          }
          randomValue(p, r, depth + 1);
        }
      }
    }
  }

  /** Values with their classes, arrays by content. */
  private static String deepToString(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof byte[] b) {
      return "bytes" + Arrays.toString(b);
    }
    if (v instanceof List<?> l) {
      List<String> items = new ArrayList<>();
      l.forEach(x -> items.add(deepToString(x)));
      return l.getClass().getSimpleName() + items;
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder(m.getClass().getSimpleName()).append('{');
      m.forEach(
          (k, x) -> sb.append(deepToString(k)).append('=').append(deepToString(x)).append(','));
      return sb.append('}').toString();
    }
    if (v instanceof org.msgpack.jackson.dataformat.MessagePackExtensionType e) {
      return "ext" + e.getType() + Arrays.toString(e.getData());
    }
    return v.getClass().getSimpleName() + ":" + v;
  }

  private static InvocationBinder typed(Type... types) {
    return new InvocationBinder() {
      @Override
      public List<Type> parameterTypes(String target) {
        return List.of(types);
      }
    };
  }

  private record ParameterizedTypeOf(Class<?> raw, Type... args)
      implements java.lang.reflect.ParameterizedType {
    @Override
    public Type[] getActualTypeArguments() {
      return args;
    }

    @Override
    public Type getRawType() {
      return raw;
    }

    @Override
    public Type getOwnerType() {
      return null;
    }
  }
}
