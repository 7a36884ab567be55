package org.jvmchat.azure.signalr.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.*;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The service protocol's MessagePack encoding, version 1: {@link #encode} and {@link #decode} work
 * on one message's array (the bytes the SDK's protocol tests list), {@link #frame} prefixes it with
 * its length (a varint, 7 bits a byte, low bits first, as SignalR's binary framing), and {@link
 * FrameReader} splits a stream of framed messages. Field order, empty-string and nil conventions
 * follow the official SDK byte for byte (its protocol test vectors are this module's tests).
 * Decoding accepts the older, shorter arrays (optional trailing items) and ignores extra items and
 * unknown message types (null), as the specification asks.
 */
public final class ServiceProtocol {
  /** The protocol version this implementation speaks. */
  public static final int VERSION = 1;

  /** Largest message accepted by {@link FrameReader} (a client message plus overhead). */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

  private ServiceProtocol() {}

  // ------------------------------------------------------------------ encoding

  /** The message's MessagePack array, without the length prefix. */
  public static byte[] encode(ServiceMessage m) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      write(p, m);
      p.flush();
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The message as it goes on the wire: length prefix, then the array. */
  public static byte[] frame(ServiceMessage m) {
    byte[] body = encode(m);
    int len = body.length;
    int prefix = varintSize(len);
    byte[] out = new byte[prefix + len];
    int i = 0;
    int v = len;
    do {
      int b = v & 0x7f;
      v >>>= 7;
      out[i++] = (byte) (v != 0 ? b | 0x80 : b);
    } while (v != 0);
    System.arraycopy(body, 0, out, prefix, len);
    return out;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  private static void write(MessagePacker p, ServiceMessage m) throws IOException {
    if (m instanceof HandshakeRequest h) {
      p.packArrayHeader(h.allowStatefulReconnects() ? 7 : 6);
      p.packInt(1);
      p.packInt(h.version());
      p.packInt(h.connectionType());
      p.packString(h.target() == null ? "" : h.target());
      p.packInt(h.migrationLevel());
      ext(p, h.ext());
      if (h.allowStatefulReconnects()) {
        p.packBoolean(true);
      }
    } else if (m instanceof HandshakeResponse h) {
      p.packArrayHeader(h.connectionId() == null ? 3 : 4);
      p.packInt(2);
      p.packString(h.errorMessage() == null ? "" : h.errorMessage());
      ext(p, h.ext());
      if (h.connectionId() != null) {
        p.packString(h.connectionId());
      }
    } else if (m instanceof Ping ping) {
      p.packArrayHeader(1 + ping.messages().size());
      p.packInt(3);
      for (String s : ping.messages()) {
        str(p, s);
      }
    } else if (m instanceof OpenConnection o) {
      p.packArrayHeader(6);
      p.packInt(4);
      p.packString(o.connectionId());
      p.packMapHeader(o.claims().size());
      for (Claim c : o.claims()) {
        p.packString(c.type());
        p.packString(c.value());
      }
      headers(p, o.headers());
      p.packString(o.queryString() == null ? "" : o.queryString());
      ext(p, o.ext());
    } else if (m instanceof CloseConnection c) {
      p.packArrayHeader(5);
      p.packInt(5);
      p.packString(c.connectionId());
      p.packString(c.errorMessage() == null ? "" : c.errorMessage());
      headers(p, c.headers());
      ext(p, c.ext());
    } else if (m instanceof ConnectionData d) {
      p.packArrayHeader(4);
      p.packInt(6);
      p.packString(d.connectionId());
      bin(p, d.payload());
      ext(p, d.ext());
    } else if (m instanceof MultiConnectionData d) {
      p.packArrayHeader(4);
      p.packInt(7);
      strings(p, d.connectionIds());
      payloads(p, d.payloads());
      ext(p, d.ext());
    } else if (m instanceof UserData d) {
      p.packArrayHeader(4);
      p.packInt(8);
      p.packString(d.userId());
      payloads(p, d.payloads());
      ext(p, d.ext());
    } else if (m instanceof MultiUserData d) {
      p.packArrayHeader(4);
      p.packInt(9);
      strings(p, d.userIds());
      payloads(p, d.payloads());
      ext(p, d.ext());
    } else if (m instanceof BroadcastData d) {
      p.packArrayHeader(4);
      p.packInt(10);
      strings(p, d.excluded());
      payloads(p, d.payloads());
      ext(p, d.ext());
    } else if (m instanceof JoinGroup j) {
      twoStrings(p, 11, j.connectionId(), j.group(), j.ext());
    } else if (m instanceof LeaveGroup l) {
      twoStrings(p, 12, l.connectionId(), l.group(), l.ext());
    } else if (m instanceof GroupBroadcastData g) {
      p.packArrayHeader(7);
      p.packInt(13);
      p.packString(g.group());
      strings(p, g.excluded());
      payloads(p, g.payloads());
      ext(p, g.ext());
      strings(p, g.excludedUsers());
      str(p, g.callerUserId());
    } else if (m instanceof MultiGroupBroadcastData g) {
      p.packArrayHeader(4);
      p.packInt(14);
      strings(p, g.groups());
      payloads(p, g.payloads());
      ext(p, g.ext());
    } else if (m instanceof ServiceError e) {
      p.packArrayHeader(2);
      p.packInt(15);
      str(p, e.errorMessage());
    } else if (m instanceof UserJoinGroup j) {
      twoStrings(p, 16, j.userId(), j.group(), j.ext());
    } else if (m instanceof UserLeaveGroup l) {
      twoStrings(p, 17, l.userId(), l.group(), l.ext());
    } else if (m instanceof JoinGroupWithAck j) {
      withAck(p, 18, j.connectionId(), j.group(), j.ackId(), j.ext());
    } else if (m instanceof LeaveGroupWithAck l) {
      withAck(p, 19, l.connectionId(), l.group(), l.ackId(), l.ext());
    } else if (m instanceof Ack a) {
      p.packArrayHeader(a.payload() == null ? 5 : 6);
      p.packInt(20);
      p.packInt(a.ackId());
      p.packInt(a.status());
      p.packString(a.message() == null ? "" : a.message());
      ext(p, a.ext());
      if (a.payload() != null) {
        bin(p, a.payload());
      }
    } else if (m instanceof ServiceEvent e) {
      p.packArrayHeader(6);
      p.packInt(22);
      p.packInt(e.objectType());
      str(p, e.id());
      p.packInt(e.kind());
      str(p, e.message());
      ext(p, e.ext());
    } else if (m instanceof CloseConnectionWithAck c) {
      p.packArrayHeader(5);
      p.packInt(30);
      p.packString(c.connectionId());
      str(p, c.reason());
      p.packInt(c.ackId());
      ext(p, c.ext());
    } else if (m instanceof ClientInvocation c) {
      p.packArrayHeader(6);
      p.packInt(34);
      str(p, c.invocationId());
      str(p, c.connectionId());
      str(p, c.callerServerId());
      payloads(p, c.payloads());
      ext(p, c.ext());
    } else if (m instanceof ClientCompletion c) {
      p.packArrayHeader(7);
      p.packInt(35);
      str(p, c.invocationId());
      str(p, c.connectionId());
      str(p, c.callerServerId());
      str(p, c.protocol());
      bin(p, c.payload());
      ext(p, c.ext());
    } else if (m instanceof ErrorCompletion c) {
      p.packArrayHeader(6);
      p.packInt(36);
      str(p, c.invocationId());
      str(p, c.connectionId());
      str(p, c.callerServerId());
      str(p, c.error());
      ext(p, c.ext());
    } else if (m instanceof ServiceMapping s) {
      p.packArrayHeader(5);
      p.packInt(37);
      str(p, s.invocationId());
      str(p, s.connectionId());
      str(p, s.instanceId());
      ext(p, s.ext());
    }
  }

  private static void twoStrings(
      MessagePacker p, int type, String a, String b, Map<Integer, Object> ext) throws IOException {
    p.packArrayHeader(4);
    p.packInt(type);
    p.packString(a);
    p.packString(b);
    ext(p, ext);
  }

  private static void withAck(
      MessagePacker p, int type, String a, String b, int ackId, Map<Integer, Object> ext)
      throws IOException {
    p.packArrayHeader(5);
    p.packInt(type);
    p.packString(a);
    p.packString(b);
    p.packInt(ackId);
    ext(p, ext);
  }

  private static void str(MessagePacker p, String s) throws IOException {
    if (s == null) {
      p.packNil();
    } else {
      p.packString(s);
    }
  }

  private static void bin(MessagePacker p, byte[] b) throws IOException {
    byte[] bytes = b == null ? new byte[0] : b;
    p.packBinaryHeader(bytes.length);
    p.writePayload(bytes);
  }

  private static void strings(MessagePacker p, List<String> l) throws IOException {
    p.packArrayHeader(l.size());
    for (String s : l) {
      p.packString(s);
    }
  }

  private static void payloads(MessagePacker p, Map<String, byte[]> payloads) throws IOException {
    p.packMapHeader(payloads.size());
    for (Map.Entry<String, byte[]> e : payloads.entrySet()) {
      p.packString(e.getKey());
      bin(p, e.getValue());
    }
  }

  private static void headers(MessagePacker p, Map<String, List<String>> headers)
      throws IOException {
    p.packMapHeader(headers.size());
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      p.packString(e.getKey());
      strings(p, e.getValue());
    }
  }

  private static void ext(MessagePacker p, Map<Integer, Object> ext) throws IOException {
    p.packMapHeader(ext.size());
    for (Map.Entry<Integer, Object> e : ext.entrySet()) {
      p.packInt(e.getKey());
      Object v = e.getValue();
      if (v instanceof Number n) {
        p.packLong(n.longValue());
      } else if (v instanceof Boolean b) {
        p.packBoolean(b);
      } else if (v == null) {
        p.packNil();
      } else {
        p.packString(v.toString());
      }
    }
  }

  // ------------------------------------------------------------------ decoding

  /**
   * One message from its array (no length prefix); null for a message type this implementation does
   * not know (to be ignored).
   *
   * @throws IllegalArgumentException for bytes that are not a service message
   */
  public static ServiceMessage decode(byte[] body) {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(body)) {
      int n = u.unpackArrayHeader();
      if (n < 1) {
        throw new IllegalArgumentException("An empty array is not a service message");
      }
      int type = u.unpackInt();
      Fields f = new Fields(u, n - 1);
      return switch (type) {
        case 1 ->
            new HandshakeRequest(
                f.integer(), f.integer(0), f.string(), f.integer(0), f.ext(), f.bool());
        case 2 -> new HandshakeResponse(f.string(), f.ext(), f.string());
        case 3 -> {
          List<String> l = new ArrayList<>();
          while (f.left() > 0) {
            l.add(f.string());
          }
          yield new Ping(l);
        }
        case 4 -> new OpenConnection(f.string(), f.claims(), f.headers(), f.string(), f.ext());
        case 5 -> new CloseConnection(f.string(), f.string(), f.headers(), f.ext());
        case 6 -> new ConnectionData(f.string(), f.bin(), f.ext());
        case 7 -> new MultiConnectionData(f.strings(), f.payloads(), f.ext());
        case 8 -> new UserData(f.string(), f.payloads(), f.ext());
        case 9 -> new MultiUserData(f.strings(), f.payloads(), f.ext());
        case 10 -> new BroadcastData(f.strings(), f.payloads(), f.ext());
        case 11 -> new JoinGroup(f.string(), f.string(), f.ext());
        case 12 -> new LeaveGroup(f.string(), f.string(), f.ext());
        case 13 ->
            new GroupBroadcastData(
                f.string(), f.strings(), f.payloads(), f.ext(), f.strings(), f.string());
        case 14 -> new MultiGroupBroadcastData(f.strings(), f.payloads(), f.ext());
        case 15 -> new ServiceError(f.string());
        case 16 -> new UserJoinGroup(f.string(), f.string(), f.ext());
        case 17 -> new UserLeaveGroup(f.string(), f.string(), f.ext());
        case 18 -> new JoinGroupWithAck(f.string(), f.string(), f.integer(), f.ext());
        case 19 -> new LeaveGroupWithAck(f.string(), f.string(), f.integer(), f.ext());
        case 20 -> new Ack(f.integer(), f.integer(), f.string(), f.ext(), f.binOrNull());
        case 22 -> new ServiceEvent(f.integer(), f.string(), f.integer(), f.string(), f.ext());
        case 30 -> new CloseConnectionWithAck(f.string(), f.string(), f.integer(), f.ext());
        case 34 -> new ClientInvocation(f.string(), f.string(), f.string(), f.payloads(), f.ext());
        case 35 ->
            new ClientCompletion(f.string(), f.string(), f.string(), f.string(), f.bin(), f.ext());
        case 36 -> new ErrorCompletion(f.string(), f.string(), f.string(), f.string(), f.ext());
        case 37 -> new ServiceMapping(f.string(), f.string(), f.string(), f.ext());
        default -> null;
      };
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("Not a service protocol message: " + e.getMessage(), e);
    }
  }

  /** The items of one message's array, each optional at the end (older, shorter arrays). */
  private static final class Fields {
    private final MessageUnpacker u;
    private int left;

    Fields(MessageUnpacker u, int left) {
      this.u = u;
      this.left = left;
    }

    int left() {
      return left;
    }

    private boolean take() {
      if (left <= 0) {
        return false;
      }
      left--;
      return true;
    }

    private boolean nil() throws IOException {
      if (u.getNextFormat() == MessageFormat.NIL) {
        u.unpackNil();
        return true;
      }
      return false;
    }

    String string() throws IOException {
      if (!take() || nil()) {
        return null;
      }
      return u.unpackString();
    }

    int integer() throws IOException {
      return integer(0);
    }

    int integer(int absent) throws IOException {
      if (!take() || nil()) {
        return absent;
      }
      return u.unpackInt();
    }

    boolean bool() throws IOException {
      if (!take() || nil()) {
        return false;
      }
      return u.unpackBoolean();
    }

    byte[] bin() throws IOException {
      byte[] b = binOrNull();
      return b == null ? new byte[0] : b;
    }

    byte[] binOrNull() throws IOException {
      if (!take() || nil()) {
        return null;
      }
      return readBin(u);
    }

    List<String> strings() throws IOException {
      List<String> l = new ArrayList<>();
      if (!take() || nil()) {
        return l;
      }
      int n = u.unpackArrayHeader();
      for (int i = 0; i < n; i++) {
        l.add(u.unpackString());
      }
      return l;
    }

    Map<String, byte[]> payloads() throws IOException {
      Map<String, byte[]> m = new LinkedHashMap<>();
      if (!take() || nil()) {
        return m;
      }
      int n = u.unpackMapHeader();
      for (int i = 0; i < n; i++) {
        m.put(u.unpackString(), readBin(u));
      }
      return m;
    }

    List<Claim> claims() throws IOException {
      List<Claim> l = new ArrayList<>();
      if (!take() || nil()) {
        return l;
      }
      int n = u.unpackMapHeader();
      for (int i = 0; i < n; i++) {
        l.add(new Claim(u.unpackString(), u.unpackString()));
      }
      return l;
    }

    Map<String, List<String>> headers() throws IOException {
      Map<String, List<String>> m = new LinkedHashMap<>();
      if (!take() || nil()) {
        return m;
      }
      int n = u.unpackMapHeader();
      for (int i = 0; i < n; i++) {
        String key = u.unpackString();
        List<String> values = new ArrayList<>();
        if (u.getNextFormat().getValueType() == ValueType.ARRAY) {
          int k = u.unpackArrayHeader();
          for (int j = 0; j < k; j++) {
            values.add(u.unpackString());
          }
        } else {
          values.add(u.unpackString());
        }
        m.put(key, values);
      }
      return m;
    }

    Map<Integer, Object> ext() throws IOException {
      Map<Integer, Object> m = new LinkedHashMap<>();
      if (!take() || nil()) {
        return m;
      }
      int n = u.unpackMapHeader();
      for (int i = 0; i < n; i++) {
        int key = u.unpackInt();
        ValueType t = u.getNextFormat().getValueType();
        switch (t) {
          case INTEGER -> m.put(key, u.unpackLong());
          case STRING -> m.put(key, u.unpackString());
          case BOOLEAN -> m.put(key, u.unpackBoolean());
          default -> u.skipValue();
        }
      }
      return m;
    }
  }

  private static byte[] readBin(MessageUnpacker u) throws IOException {
    if (u.getNextFormat().getValueType() == ValueType.STRING) {
      return u.unpackString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    int len = u.unpackBinaryHeader();
    return u.readPayload(len);
  }

  // ------------------------------------------------------------------ framing

  /**
   * Splits a byte stream (WebSocket frames may carry several messages, or part of one) into
   * messages. Not thread-safe: one per connection, used on its event loop.
   */
  public static final class FrameReader {
    private final int maxMessageSize;
    private byte[] buf = new byte[256];
    private int len;

    public FrameReader(int maxMessageSize) {
      this.maxMessageSize = maxMessageSize;
    }

    /**
     * Appends bytes and returns every message now complete (null entries for unknown types are left
     * out).
     *
     * @throws IllegalArgumentException for a message larger than the limit or bytes that are not a
     *     service message
     */
    public List<ServiceMessage> read(java.nio.ByteBuffer bytes) {
      int n = bytes.remaining();
      if (len + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
      }
      bytes.get(buf, len, n);
      len += n;
      List<ServiceMessage> out = new ArrayList<>(1);
      int pos = 0;
      while (pos < len) {
        long size = 0;
        int shift = 0;
        int i = pos;
        boolean complete = false;
        while (i < len && shift <= 35) {
          int b = buf[i++] & 0xff;
          size |= (long) (b & 0x7f) << shift;
          shift += 7;
          if ((b & 0x80) == 0) {
            complete = true;
            break;
          }
        }
        if (!complete) {
          if (shift > 35) {
            throw new IllegalArgumentException("A message length prefix is longer than 5 bytes");
          }
          break;
        }
        if (size > maxMessageSize) {
          throw new IllegalArgumentException(
              "A service message of " + size + " bytes exceeds the limit of " + maxMessageSize);
        }
        if (len - i < size) {
          break;
        }
        byte[] body = java.util.Arrays.copyOfRange(buf, i, i + (int) size);
        pos = i + (int) size;
        ServiceMessage m = decode(body);
        if (m != null) {
          out.add(m);
        }
      }
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, len - pos);
        len -= pos;
      }
      return out;
    }
  }
}
