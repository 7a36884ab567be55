package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The little of MessagePack the load tool and the ceiling need, straight on Netty buffers: writing
 * SignalR's MessagePack hub messages (VarInt length prefix, arrays, maps, strings, integers, nil,
 * booleans, timestamps) and reading them by position (headers, integers, string bounds, skipping a
 * value). No tree, no copy of the payload.
 */
public final class MsgPack {
  private MsgPack() {}

  /** The room reserved before a body for its VarInt length prefix. */
  public static final int PREFIX_ROOM = 5;

  /** Reserves the prefix room; write the body, then call {@link #endFrame}. */
  public static int beginFrame(ByteBuf b) {
    int start = b.writerIndex();
    b.writeZero(PREFIX_ROOM);
    return start;
  }

  /**
   * Writes the VarInt length of the body written since {@link #beginFrame} just before it, and
   * moves the reader index to the prefix so that the buffer holds exactly the framed message.
   */
  public static ByteBuf endFrame(ByteBuf b, int start) {
    int bodyStart = start + PREFIX_ROOM;
    int length = b.writerIndex() - bodyStart;
    int n = 1;
    for (int l = length >>> 7; l > 0; l >>>= 7) {
      n++;
    }
    int at = bodyStart - n;
    int l = length;
    for (int i = 0; i < n; i++) {
      int v = l & 0x7F;
      l >>>= 7;
      b.setByte(at + i, l > 0 ? v | 0x80 : v);
    }
    b.readerIndex(at);
    return b;
  }

  public static void arrayHeader(ByteBuf b, int n) {
    if (n < 16) {
      b.writeByte(0x90 | n);
    } else if (n < 65536) {
      b.writeByte(0xdc).writeShort(n);
    } else {
      b.writeByte(0xdd).writeInt(n);
    }
  }

  public static void mapHeader(ByteBuf b, int n) {
    if (n < 16) {
      b.writeByte(0x80 | n);
    } else if (n < 65536) {
      b.writeByte(0xde).writeShort(n);
    } else {
      b.writeByte(0xdf).writeInt(n);
    }
  }

  public static void nil(ByteBuf b) {
    b.writeByte(0xc0);
  }

  public static void bool(ByteBuf b, boolean v) {
    b.writeByte(v ? 0xc3 : 0xc2);
  }

  /** A non-negative integer in its shortest form. */
  public static void uint(ByteBuf b, long v) {
    if (v < 128) {
      b.writeByte((int) v);
    } else if (v < 256) {
      b.writeByte(0xcc).writeByte((int) v);
    } else if (v < 65536) {
      b.writeByte(0xcd).writeShort((int) v);
    } else if (v < (1L << 32)) {
      b.writeByte(0xce).writeInt((int) v);
    } else {
      b.writeByte(0xcf).writeLong(v);
    }
  }

  /** A string (UTF-8) with its shortest header. */
  public static void str(ByteBuf b, CharSequence s) {
    int n = io.netty.buffer.ByteBufUtil.utf8Bytes(s);
    if (n < 32) {
      b.writeByte(0xa0 | n);
    } else if (n < 256) {
      b.writeByte(0xd9).writeByte(n);
    } else if (n < 65536) {
      b.writeByte(0xda).writeShort(n);
    } else {
      b.writeByte(0xdb).writeInt(n);
    }
    b.writeCharSequence(s, StandardCharsets.UTF_8);
  }

  /** A pre-encoded string (header and bytes), for keys and targets written over and over. */
  public static byte[] encoded(String s) {
    ByteBuf b = io.netty.buffer.Unpooled.buffer();
    str(b, s);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  /** The timestamp extension (-1) in its shortest form, as the MessagePack spec defines it. */
  public static void timestamp(ByteBuf b, Instant t) {
    long sec = t.getEpochSecond();
    int nsec = t.getNano();
    if (sec >>> 34 == 0) {
      long data64 = ((long) nsec << 34) | sec;
      if ((data64 & 0xffffffff00000000L) == 0) {
        b.writeByte(0xd6).writeByte(0xff).writeInt((int) data64);
      } else {
        b.writeByte(0xd7).writeByte(0xff).writeLong(data64);
      }
    } else {
      b.writeByte(0xc7).writeByte(12).writeByte(0xff).writeInt(nsec).writeLong(sec);
    }
  }

  // ------------------------------------------------------------------------------ reading

  /** The count of the array or map header at {@code i}, or -1 when it is neither. */
  public static long containerCount(ByteBuf b, int i) {
    int f = b.getUnsignedByte(i);
    if ((f & 0xf0) == 0x90 || (f & 0xf0) == 0x80) {
      return f & 0x0f;
    }
    return switch (f) {
      case 0xdc, 0xde -> b.getUnsignedShort(i + 1);
      case 0xdd, 0xdf -> b.getUnsignedInt(i + 1);
      default -> -1;
    };
  }

  /** The size of the header of the array, map or string at {@code i}. */
  public static int headerSize(ByteBuf b, int i) {
    int f = b.getUnsignedByte(i);
    if (f <= 0xbf || f >= 0xe0) {
      return 1; // fixint, fixmap, fixarray, fixstr, negative fixint
    }
    return switch (f) {
      case 0xd9, 0xc4 -> 2;
      case 0xda, 0xdc, 0xde, 0xc5 -> 3;
      case 0xdb, 0xdd, 0xdf, 0xc6 -> 5;
      default -> 1;
    };
  }

  /** The length of the string at {@code i}, or -1 when it is not a string. */
  public static int strLength(ByteBuf b, int i) {
    int f = b.getUnsignedByte(i);
    if ((f & 0xe0) == 0xa0) {
      return f & 0x1f;
    }
    return switch (f) {
      case 0xd9 -> b.getUnsignedByte(i + 1);
      case 0xda -> b.getUnsignedShort(i + 1);
      case 0xdb -> (int) b.getUnsignedInt(i + 1);
      default -> -1;
    };
  }

  /** The integer at {@code i} (any width), or {@code Long.MIN_VALUE} when it is not one. */
  public static long integer(ByteBuf b, int i) {
    int f = b.getUnsignedByte(i);
    if (f <= 0x7f) {
      return f;
    }
    if (f >= 0xe0) {
      return (byte) f;
    }
    return switch (f) {
      case 0xcc -> b.getUnsignedByte(i + 1);
      case 0xcd -> b.getUnsignedShort(i + 1);
      case 0xce -> b.getUnsignedInt(i + 1);
      case 0xcf, 0xd3 -> b.getLong(i + 1);
      case 0xd0 -> b.getByte(i + 1);
      case 0xd1 -> b.getShort(i + 1);
      case 0xd2 -> b.getInt(i + 1);
      default -> Long.MIN_VALUE;
    };
  }

  /** Whether the string at {@code i} equals the pre-encoded {@code encoded} (header included). */
  public static boolean strEquals(ByteBuf b, int i, int to, byte[] encoded) {
    if (i + encoded.length > to) {
      return false;
    }
    for (int k = 0; k < encoded.length; k++) {
      if (b.getByte(i + k) != encoded[k]) {
        return false;
      }
    }
    return true;
  }

  /** The index just past the value at {@code i}. */
  public static int skip(ByteBuf b, int i) {
    long pending = 1;
    while (pending > 0) {
      pending--;
      int f = b.getUnsignedByte(i);
      if (f <= 0x7f || f >= 0xe0 || f == 0xc0 || f == 0xc2 || f == 0xc3) {
        i += 1;
      } else if ((f & 0xf0) == 0x80) {
        pending += 2L * (f & 0x0f);
        i += 1;
      } else if ((f & 0xf0) == 0x90) {
        pending += f & 0x0f;
        i += 1;
      } else if ((f & 0xe0) == 0xa0) {
        i += 1 + (f & 0x1f);
      } else {
        switch (f) {
          case 0xc4, 0xd9 -> i += 2 + b.getUnsignedByte(i + 1);
          case 0xc5, 0xda -> i += 3 + b.getUnsignedShort(i + 1);
          case 0xc6, 0xdb -> i += 5 + (int) b.getUnsignedInt(i + 1);
          case 0xc7 -> i += 3 + b.getUnsignedByte(i + 1);
          case 0xc8 -> i += 4 + b.getUnsignedShort(i + 1);
          case 0xc9 -> i += 6 + (int) b.getUnsignedInt(i + 1);
          case 0xca, 0xce, 0xd2 -> i += 5;
          case 0xcb, 0xcf, 0xd3 -> i += 9;
          case 0xcc, 0xd0 -> i += 2;
          case 0xcd, 0xd1 -> i += 3;
          case 0xd4 -> i += 3;
          case 0xd5 -> i += 4;
          case 0xd6 -> i += 6;
          case 0xd7 -> i += 10;
          case 0xd8 -> i += 18;
          case 0xdc -> {
            pending += b.getUnsignedShort(i + 1);
            i += 3;
          }
          case 0xdd -> {
            pending += b.getUnsignedInt(i + 1);
            i += 5;
          }
          case 0xde -> {
            pending += 2L * b.getUnsignedShort(i + 1);
            i += 3;
          }
          case 0xdf -> {
            pending += 2L * b.getUnsignedInt(i + 1);
            i += 5;
          }
          default -> throw new IllegalArgumentException("bad MessagePack byte " + f);
        }
      }
    }
    return i;
  }
}
