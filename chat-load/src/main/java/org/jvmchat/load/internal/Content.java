package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/**
 * The content of every message the driver sends: {@code s<sender>#<seq>@<nanos>|} then filler
 * characters up to the requested size. {@code nanos} is the (intended or actual) send time on the
 * driver's clock ({@link Clock}); it and the sender and sequence number are all a receiver needs to
 * account for loss, duplicates and latency. Only ASCII digits and letters: never escaped in JSON.
 */
public final class Content {
  private static final byte S = 's';
  private static final byte HASH = '#';
  private static final byte AT = '@';

  private Content() {}

  /** A parsed stamp. */
  public record Stamp(int sender, long seq, long nanos) {}

  /** The content string for this stamp, padded with {@code x} to {@code size} characters. */
  public static String encode(int sender, long seq, long nanos, int size) {
    StringBuilder sb = new StringBuilder(Math.max(size, 48));
    sb.append('s').append(sender).append('#').append(seq).append('@').append(nanos).append('|');
    while (sb.length() < size) {
      sb.append('x');
    }
    return sb.toString();
  }

  /** Parses a stamp from a string (tests, tools). */
  public static Stamp parse(String content) {
    byte[] b = content.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return parse(io.netty.buffer.Unpooled.wrappedBuffer(b), 0, b.length);
  }

  /**
   * Parses the stamp at {@code from} (the first character of the content) in {@code buf}, not
   * reading past {@code to}; null when it is not one of ours.
   */
  public static Stamp parse(ByteBuf buf, int from, int to) {
    if (from >= to || buf.getByte(from) != S) {
      return null;
    }
    int i = from + 1;
    long sender = 0;
    int start = i;
    byte c;
    while (i < to && (c = buf.getByte(i)) >= '0' && c <= '9') {
      sender = sender * 10 + (c - '0');
      i++;
    }
    if (i == start || i >= to || buf.getByte(i) != HASH) {
      return null;
    }
    long seq = 0;
    start = ++i;
    while (i < to && (c = buf.getByte(i)) >= '0' && c <= '9') {
      seq = seq * 10 + (c - '0');
      i++;
    }
    if (i == start || i >= to || buf.getByte(i) != AT) {
      return null;
    }
    long nanos = 0;
    start = ++i;
    while (i < to && (c = buf.getByte(i)) >= '0' && c <= '9') {
      nanos = nanos * 10 + (c - '0');
      i++;
    }
    if (i == start) {
      return null;
    }
    return new Stamp((int) sender, seq, nanos);
  }
}
