package org.jvmchat.hub.internal.scaleout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Ack;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientInvocation;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientResult;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.CloseCommand;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.GroupCommand;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Invocation;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Probe;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.UserGroupCommand;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class ScaleoutCodecTest {
  private static Map<String, byte[]> messages() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("json", new byte[] {'{', '}', 0x1e});
    m.put("messagepack", new byte[] {0x02, (byte) 0x91, 0x06});
    return m;
  }

  @Test
  void anAckIsTwoSmallIntegers() throws IOException {
    byte[] bytes = ScaleoutCodec.encode(new Ack(7));

    assertThat(bytes).containsExactly(0x92, 0x04, 0x07);
    assertThat(ScaleoutCodec.decode(bytes)).isEqualTo(new Ack(7));
  }

  @Test
  void anInvocationHasFourElementsAndItsBytesPerProtocol() throws IOException {
    byte[] bytes =
        ScaleoutCodec.encode(new Invocation("srv", List.of("c1"), messages(), 0, List.of()));

    assertThat(bytes[0]).isEqualTo((byte) 0x94);
    Invocation back = (Invocation) ScaleoutCodec.decode(bytes);
    assertThat(back.origin()).isEqualTo("srv");
    assertThat(back.excluded()).containsExactly("c1");
    assertThat(back.messages().get("json")).containsExactly('{', '}', 0x1e);
    assertThat(back.messages().get("messagepack")).containsExactly(0x02, 0x91, 0x06);
    assertThat(back.groups()).isEmpty();
  }

  @Test
  void aSeveralGroupsInvocationCarriesItsIdAndGroups() throws IOException {
    byte[] bytes =
        ScaleoutCodec.encode(new Invocation("srv", List.of(), messages(), 42, List.of("a", "b")));

    assertThat(bytes[0]).isEqualTo((byte) 0x96);
    Invocation back = (Invocation) ScaleoutCodec.decode(bytes);
    assertThat(back.messageId()).isEqualTo(42);
    assertThat(back.groups()).containsExactly("a", "b");
  }

  @Test
  void everyKindSurvivesARoundTrip() throws IOException {
    ClientInvocation ci = new ClientInvocation("srv", "inv", messages(), "ret", 30_000);
    GroupCommand gc = new GroupCommand("srv", 9, ScaleoutCodec.ACTION_REMOVE, "g", "c", "ack");
    ClientResult cr = new ClientResult("c", "inv", "json", new byte[] {1, 2, 3});

    ClientInvocation ci2 = (ClientInvocation) ScaleoutCodec.decode(ScaleoutCodec.encode(ci));
    assertThat(ci2.invocationId()).isEqualTo("inv");
    assertThat(ci2.returnChannel()).isEqualTo("ret");
    assertThat(ci2.timeoutMillis()).isEqualTo(30_000);
    assertThat(ci2.messages()).containsOnlyKeys("json", "messagepack");
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(gc))).isEqualTo(gc);
    ClientResult cr2 = (ClientResult) ScaleoutCodec.decode(ScaleoutCodec.encode(cr));
    assertThat(cr2.completion()).containsExactly(1, 2, 3);
    assertThat(cr2.protocol()).isEqualTo("json");
  }

  @Test
  void theClusterWideCommandsSurviveARoundTrip() throws IOException {
    byte[] probe = ScaleoutCodec.encode(new Probe());
    CloseCommand close = new CloseCommand("srv", List.of("c1", "c2"), "maintenance");
    CloseCommand silent = new CloseCommand("srv", List.of(), null);
    UserGroupCommand add =
        new UserGroupCommand("srv", 4, ScaleoutCodec.ACTION_ADD, "g", "ack", 1_700_000_000_000L);
    UserGroupCommand all =
        new UserGroupCommand("srv", 5, ScaleoutCodec.ACTION_REMOVE_ALL, "", "ack", 0);
    GroupCommand removeAll =
        new GroupCommand("srv", 6, ScaleoutCodec.ACTION_REMOVE_ALL, "", "c", "ack");

    assertThat(probe).containsExactly(0x91, 0x06);
    assertThat(ScaleoutCodec.decode(probe)).isEqualTo(new Probe());
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(close))).isEqualTo(close);
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(silent))).isEqualTo(silent);
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(add))).isEqualTo(add);
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(all))).isEqualTo(all);
    assertThat(ScaleoutCodec.decode(ScaleoutCodec.encode(removeAll))).isEqualTo(removeAll);
  }

  @Test
  void unknownKindsAreSkippedAndExtraElementsIgnored() throws IOException {
    MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
    p.packArrayHeader(3).packInt(99).packString("future").packInt(1);
    assertThat(ScaleoutCodec.decode(p.toByteArray())).isNull();

    MessageBufferPacker q = MessagePack.newDefaultBufferPacker();
    q.packArrayHeader(4).packInt(ScaleoutCodec.ACK).packLong(5).packString("x").packNil();
    assertThat(ScaleoutCodec.decode(q.toByteArray())).isEqualTo(new Ack(5));
  }

  @Test
  void malformedPayloadsAreRejected() {
    assertThatThrownBy(() -> ScaleoutCodec.decode(new byte[] {(byte) 0x91}))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ScaleoutCodec.decode(new byte[] {0x01, 0x02}))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ScaleoutCodec.decode(new byte[] {(byte) 0x92, 0x01, 0x02}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("needs 4");
  }
}
