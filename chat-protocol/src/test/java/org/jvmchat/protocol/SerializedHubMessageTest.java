package org.jvmchat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/** A broadcast costs one serialization per protocol in use, whatever the mix of receivers. */
class SerializedHubMessageTest {

  /** Counts the serializations of a real protocol. */
  private static final class Counting implements HubProtocol {
    final HubProtocol inner;
    final AtomicInteger serialized = new AtomicInteger();

    Counting(HubProtocol inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public int version() {
      return inner.version();
    }

    @Override
    public TransferFormat transferFormat() {
      return inner.transferFormat();
    }

    @Override
    public HubMessage tryParse(ByteBuffer buffer, InvocationBinder binder, int maxMessageSize) {
      return inner.tryParse(buffer, binder, maxMessageSize);
    }

    @Override
    public void write(HubMessage message, OutputStream out) throws IOException {
      inner.write(message, out);
    }

    @Override
    public byte[] toBytes(HubMessage message) {
      serialized.incrementAndGet();
      return inner.toBytes(message);
    }
  }

  @Test
  void aMixedRoomCostsOneSerializationPerProtocol() throws Exception {
    Counting json = new Counting(new JsonHubProtocol());
    Counting msgpack = new Counting(new MessagePackHubProtocol());
    SerializedHubMessage m =
        new SerializedHubMessage(InvocationMessage.send("ReceiveMessage", "hi"));
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread[] loops = new Thread[4];
    for (int t = 0; t < loops.length; t++) {
      int offset = t;
      loops[t] =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 10_000; i++) {
                    HubProtocol p = (i + offset) % 2 == 0 ? json : msgpack;
                    assertThat(m.bytes(p)).isSameAs(m.bytes(p));
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      loops[t].start();
    }
    for (Thread t : loops) {
      t.join();
    }
    assertThat(failure.get()).isNull();
    assertThat(json.serialized.get()).isEqualTo(1);
    assertThat(msgpack.serialized.get()).isEqualTo(1);
    assertThat(m.bytes(json)).isEqualTo(new JsonHubProtocol().toBytes(m.message()));
    assertThat(m.bytes(msgpack)).isEqualTo(new MessagePackHubProtocol().toBytes(m.message()));
  }
}
