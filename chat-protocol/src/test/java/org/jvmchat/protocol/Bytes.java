package org.jvmchat.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers for byte vectors. */
public final class Bytes {
  private Bytes() {}

  /** Parses spaced (or unspaced) hex: {@code "91 06"}. */
  public static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
  }

  /** A MessagePack body (hex) with its VarInt length prefix in front. */
  public static byte[] frame(String bodyHex) {
    byte[] body = hex(bodyHex);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int length = body.length;
    do {
      int b = length & 0x7F;
      length >>>= 7;
      out.write(length > 0 ? b | 0x80 : b);
    } while (length > 0);
    out.writeBytes(body);
    return out.toByteArray();
  }

  public static String hex(byte[] bytes) {
    return HexFormat.ofDelimiter(" ").formatHex(bytes);
  }

  /** A JSON vector as written in the spec, with {@code \u001e} meaning the byte 0x1E. */
  public static byte[] json(String text) {
    return text.replace("\\u001e", "\u001e").getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Parses every message in {@code bytes} (fed at once) with a generic binder. */
  public static List<HubMessage> parseAll(HubProtocol protocol, byte[] bytes) {
    return parseAll(protocol, InvocationBinder.GENERIC, bytes);
  }

  public static List<HubMessage> parseAll(
      HubProtocol protocol, InvocationBinder binder, byte[] bytes) {
    List<HubMessage> out = new ArrayList<>();
    HubMessageReader reader = new HubMessageReader(protocol, binder, 32 * 1024);
    reader.feed(bytes, out::add);
    if (reader.bufferedBytes() != 0) {
      throw new AssertionError(reader.bufferedBytes() + " bytes left unparsed");
    }
    return out;
  }
}
