package org.jvmchat.protocol.internal.msgpack;

import java.io.IOException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.buffer.ArrayBufferInput;

/**
 * One reused msgpack-core unpacker per thread, positioned over a message body, and a scratch array
 * for property names (matched as bytes, never turned into strings). Not thread-safe; {@link
 * #acquire} and {@link #release}.
 */
public final class ReadContext {
  private static final ThreadLocal<ReadContext> LOCAL = ThreadLocal.withInitial(ReadContext::new);

  private final ArrayBufferInput input = new ArrayBufferInput(new byte[0]);
  private final MessageUnpacker unpacker;
  private boolean inUse;
  byte[] scratch = new byte[64];
  private byte[] data;
  private int offset;

  private ReadContext() {
    unpacker = MessagePack.DEFAULT_UNPACKER_CONFIG.newUnpacker(input);
  }

  /** This thread's context over {@code length} bytes of {@code data} from {@code offset}. */
  public static ReadContext acquire(byte[] data, int offset, int length) throws IOException {
    ReadContext c = LOCAL.get();
    if (c.inUse) {
      c = new ReadContext();
    }
    c.inUse = true;
    c.data = data;
    c.offset = offset;
    c.input.reset(data, offset, length);
    c.unpacker.reset(c.input);
    return c;
  }

  public void release() {
    inUse = false;
    data = null;
  }

  public MessageUnpacker unpacker() {
    return unpacker;
  }

  /** The array being read. */
  public byte[] data() {
    return data;
  }

  /** The index in {@link #data()} of the unpacker's position. */
  public int position() {
    return offset + (int) unpacker.getTotalReadBytes();
  }

  byte[] scratch(int length) {
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, scratch.length * 2)];
    }
    return scratch;
  }
}
