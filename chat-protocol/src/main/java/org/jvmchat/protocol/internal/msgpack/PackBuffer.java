package org.jvmchat.protocol.internal.msgpack;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.buffer.MessageBuffer;
import org.msgpack.core.buffer.MessageBufferOutput;

/**
 * A msgpack-core packer writing into one reused byte array per thread: packing a message allocates
 * nothing but its framed result. The array grows to the largest message the thread wrote (capped: a
 * buffer above {@link #KEEP_AT_MOST} is dropped after use). Not thread-safe; take one with {@link
 * #acquire()} and give it back with {@link #release()}.
 */
public final class PackBuffer implements MessageBufferOutput {
  private static final int INITIAL = 16 * 1024;
  private static final int KEEP_AT_MOST = 256 * 1024;
  private static final ThreadLocal<PackBuffer> LOCAL = ThreadLocal.withInitial(PackBuffer::new);

  private byte[] bytes = new byte[INITIAL];
  private MessageBuffer whole = MessageBuffer.wrap(bytes);
  private int count;
  private boolean inUse;
  // Set while packing; cleared once the packer was flushed. A buffer left dirty by a failed write
  // is dropped, since its packer may still point into the array.
  private boolean dirty;
  private final MessagePacker packer;

  private PackBuffer() {
    packer = MessagePack.DEFAULT_PACKER_CONFIG.newPacker(this);
  }

  /** This thread's buffer, empty; a fresh one when it is already in use (a nested write). */
  public static PackBuffer acquire() {
    PackBuffer b = LOCAL.get();
    if (b.inUse) {
      b = new PackBuffer();
    } else if (b.dirty) {
      b = new PackBuffer();
      LOCAL.set(b);
    }
    b.inUse = true;
    b.dirty = true;
    b.count = 0;
    return b;
  }

  /** Gives the buffer back; its bytes must no longer be used. */
  public void release() {
    inUse = false;
    count = 0;
    if (bytes.length > KEEP_AT_MOST) {
      bytes = new byte[INITIAL];
      whole = MessageBuffer.wrap(bytes);
    }
  }

  public MessagePacker packer() {
    return packer;
  }

  /** The packed body framed with its VarInt length prefix, as a new array of exactly that size. */
  public byte[] framed() throws IOException {
    packer.flush();
    dirty = false;
    int prefix = prefixLength(count);
    byte[] out = new byte[prefix + count];
    int p = 0;
    int length = count;
    do {
      int b = length & 0x7F;
      length >>>= 7;
      out[p++] = (byte) (length > 0 ? b | 0x80 : b);
    } while (length > 0);
    System.arraycopy(bytes, 0, out, prefix, count);
    return out;
  }

  /** Writes the packed body framed with its VarInt length prefix to {@code out}. */
  public void writeFramed(OutputStream out) throws IOException {
    packer.flush();
    dirty = false;
    int length = count;
    do {
      int b = length & 0x7F;
      length >>>= 7;
      out.write(length > 0 ? b | 0x80 : b);
    } while (length > 0);
    out.write(bytes, 0, count);
  }

  private static int prefixLength(int length) {
    int n = 1;
    while ((length >>>= 7) > 0) {
      n++;
    }
    return n;
  }

  private void ensure(int free) {
    if (bytes.length - count < free) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, count + free));
      whole = MessageBuffer.wrap(bytes);
    }
  }

  @Override
  public MessageBuffer next(int minimumSize) {
    ensure(Math.max(minimumSize, 4096));
    return count == 0 ? whole : MessageBuffer.wrap(bytes, count, bytes.length - count);
  }

  @Override
  public void writeBuffer(int length) {
    count += length;
  }

  @Override
  public void write(byte[] buffer, int offset, int length) {
    ensure(length);
    System.arraycopy(buffer, offset, bytes, count, length);
    count += length;
  }

  @Override
  public void add(byte[] buffer, int offset, int length) {
    write(buffer, offset, length);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
