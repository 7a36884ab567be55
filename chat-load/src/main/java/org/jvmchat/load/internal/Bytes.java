package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Byte scanning helpers for finding the few JSON fields the driver needs without parsing. */
public final class Bytes {
  private Bytes() {}

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Index of {@code needle} in {@code buf[from, to)}, or -1. */
  public static int indexOf(ByteBuf buf, int from, int to, byte[] needle) {
    int last = to - needle.length;
    byte first = needle[0];
    int i = from;
    while (i <= last) {
      int at = buf.indexOf(i, last + 1, first);
      if (at < 0) {
        return -1;
      }
      boolean match = true;
      for (int k = 1; k < needle.length; k++) {
        if (buf.getByte(at + k) != needle[k]) {
          match = false;
          break;
        }
      }
      if (match) {
        return at;
      }
      i = at + 1;
    }
    return -1;
  }

  /** Parses unsigned decimal digits at {@code from}; -1 when there are none. */
  public static long digits(ByteBuf buf, int from, int to) {
    long v = 0;
    int i = from;
    byte c;
    while (i < to && (c = buf.getByte(i)) >= '0' && c <= '9') {
      v = v * 10 + (c - '0');
      i++;
    }
    return i == from ? -1 : v;
  }
}
