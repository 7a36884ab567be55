package org.jvmchat.hub.internal.scaleout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The bytes on backplane channels: one MessagePack array per payload, element 0 the kind. Readers
 * ignore trailing elements they do not know (so fields can be added) and skip unknown kinds.
 *
 * <pre>
 * 1 Invocation        [1, origin, excluded: [str], messages: {protocol: bin}]
 *                     [1, origin, excluded, messages, messageId: int, groups: [str]]  (several groups)
 * 2 ClientInvocation  [2, origin, invocationId, messages: {protocol: bin}, returnChannel, timeoutMillis]
 * 3 GroupCommand      [3, origin, commandId: int, action: 1 add | 2 remove, group, connectionId, ackChannel]
 * 4 Ack               [4, commandId: int]
 * 5 ClientResult      [5, connectionId, invocationId, protocol, completion: bin]
 * 6 Probe             [6]  (counts the subscribers of a channel; receivers ignore it)
 * 7 CloseCommand      [7, origin, excluded: [str], reason: str | nil]
 * 8 UserGroupCommand  [8, origin, commandId: int, action: 1 add | 2 remove | 3 remove all, group,
 *                      ackChannel, expiresAtMillis: int (0: no expiry to watch)]
 * </pre>
 *
 * A GroupCommand's action may also be 3 (remove from all groups; {@code group} is then empty).
 *
 * <p>{@code messages} holds, per hub protocol name ({@code json}, {@code messagepack}), the
 * complete framed wire bytes of the hub message, ready to write to a connection using that
 * protocol.
 */
final class ScaleoutCodec {
  static final int INVOCATION = 1;
  static final int CLIENT_INVOCATION = 2;
  static final int GROUP_COMMAND = 3;
  static final int ACK = 4;
  static final int CLIENT_RESULT = 5;
  static final int PROBE = 6;
  static final int CLOSE_COMMAND = 7;
  static final int USER_GROUP_COMMAND = 8;

  static final int ACTION_ADD = 1;
  static final int ACTION_REMOVE = 2;
  static final int ACTION_REMOVE_ALL = 3;

  private ScaleoutCodec() {}

  sealed interface Payload
      permits Invocation,
          ClientInvocation,
          GroupCommand,
          Ack,
          ClientResult,
          Probe,
          CloseCommand,
          UserGroupCommand {}

  /** A message for connections; {@code groups} is non-empty only for a several-groups send. */
  record Invocation(
      String origin,
      List<String> excluded,
      Map<String, byte[]> messages,
      long messageId,
      List<String> groups)
      implements Payload {}

  record ClientInvocation(
      String origin,
      String invocationId,
      Map<String, byte[]> messages,
      String returnChannel,
      long timeoutMillis)
      implements Payload {}

  record GroupCommand(
      String origin,
      long commandId,
      int action,
      String group,
      String connectionId,
      String ackChannel)
      implements Payload {}

  record Ack(long commandId) implements Payload {}

  record ClientResult(String connectionId, String invocationId, String protocol, byte[] completion)
      implements Payload {}

  /** Published only to learn how many instances subscribe to a channel. */
  record Probe() implements Payload {}

  /**
   * Close the receiving instance's connections of the channel's audience, except {@code excluded}.
   */
  record CloseCommand(String origin, List<String> excluded, String reason) implements Payload {}

  /** A user group change for every connection of the channel's user; acknowledged. */
  record UserGroupCommand(
      String origin,
      long commandId,
      int action,
      String group,
      String ackChannel,
      long expiresAtMillis)
      implements Payload {}

  static byte[] encode(Payload payload) {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      if (payload instanceof Invocation m) {
        boolean several = !m.groups().isEmpty();
        p.packArrayHeader(several ? 6 : 4).packInt(INVOCATION).packString(m.origin());
        packStrings(p, m.excluded());
        packMessages(p, m.messages());
        if (several) {
          p.packLong(m.messageId());
          packStrings(p, m.groups());
        }
      } else if (payload instanceof ClientInvocation m) {
        p.packArrayHeader(6).packInt(CLIENT_INVOCATION).packString(m.origin());
        p.packString(m.invocationId());
        packMessages(p, m.messages());
        p.packString(m.returnChannel()).packLong(m.timeoutMillis());
      } else if (payload instanceof GroupCommand m) {
        p.packArrayHeader(7).packInt(GROUP_COMMAND).packString(m.origin()).packLong(m.commandId());
        p.packInt(m.action()).packString(m.group()).packString(m.connectionId());
        p.packString(m.ackChannel());
      } else if (payload instanceof Ack m) {
        p.packArrayHeader(2).packInt(ACK).packLong(m.commandId());
      } else if (payload instanceof ClientResult m) {
        p.packArrayHeader(5).packInt(CLIENT_RESULT).packString(m.connectionId());
        p.packString(m.invocationId()).packString(m.protocol());
        p.packBinaryHeader(m.completion().length);
        p.writePayload(m.completion());
      } else if (payload instanceof Probe) {
        p.packArrayHeader(1).packInt(PROBE);
      } else if (payload instanceof CloseCommand m) {
        p.packArrayHeader(4).packInt(CLOSE_COMMAND).packString(m.origin());
        packStrings(p, m.excluded());
        if (m.reason() == null) {
          p.packNil();
        } else {
          p.packString(m.reason());
        }
      } else if (payload instanceof UserGroupCommand m) {
        p.packArrayHeader(7).packInt(USER_GROUP_COMMAND).packString(m.origin());
        p.packLong(m.commandId()).packInt(m.action()).packString(m.group());
        p.packString(m.ackChannel()).packLong(m.expiresAtMillis());
      }
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a payload; {@code null} for a kind this version does not know.
   *
   * @throws IOException when the bytes are not a valid payload
   */
  static Payload decode(byte[] bytes) throws IOException {
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      int size = u.unpackArrayHeader();
      if (size < 1) {
        throw new IOException("Empty backplane payload");
      }
      int kind = u.unpackInt();
      Payload result;
      int read;
      switch (kind) {
        case INVOCATION -> {
          need(size, 4, kind);
          String origin = u.unpackString();
          List<String> excluded = unpackStrings(u);
          Map<String, byte[]> messages = unpackMessages(u);
          long messageId = 0;
          List<String> groups = List.of();
          read = 4;
          if (size >= 6) {
            messageId = u.unpackLong();
            groups = unpackStrings(u);
            read = 6;
          }
          result = new Invocation(origin, excluded, messages, messageId, groups);
        }
        case CLIENT_INVOCATION -> {
          need(size, 6, kind);
          result =
              new ClientInvocation(
                  u.unpackString(),
                  u.unpackString(),
                  unpackMessages(u),
                  u.unpackString(),
                  u.unpackLong());
          read = 6;
        }
        case GROUP_COMMAND -> {
          need(size, 7, kind);
          result =
              new GroupCommand(
                  u.unpackString(),
                  u.unpackLong(),
                  u.unpackInt(),
                  u.unpackString(),
                  u.unpackString(),
                  u.unpackString());
          read = 7;
        }
        case ACK -> {
          need(size, 2, kind);
          result = new Ack(u.unpackLong());
          read = 2;
        }
        case CLIENT_RESULT -> {
          need(size, 5, kind);
          String connectionId = u.unpackString();
          String invocationId = u.unpackString();
          String protocol = u.unpackString();
          byte[] completion = u.readPayload(u.unpackBinaryHeader());
          result = new ClientResult(connectionId, invocationId, protocol, completion);
          read = 5;
        }
        case PROBE -> {
          result = new Probe();
          read = 1;
        }
        case CLOSE_COMMAND -> {
          need(size, 4, kind);
          String origin = u.unpackString();
          List<String> excluded = unpackStrings(u);
          String reason = u.tryUnpackNil() ? null : u.unpackString();
          result = new CloseCommand(origin, excluded, reason);
          read = 4;
        }
        case USER_GROUP_COMMAND -> {
          need(size, 7, kind);
          result =
              new UserGroupCommand(
                  u.unpackString(),
                  u.unpackLong(),
                  u.unpackInt(),
                  u.unpackString(),
                  u.unpackString(),
                  u.unpackLong());
          read = 7;
        }
        default -> {
          return null;
        }
      }
      for (int i = read; i < size; i++) {
        u.skipValue();
      }
      return result;
    } catch (RuntimeException e) {
      // msgpack-core reports type mismatches with unchecked exceptions.
      throw new IOException("Invalid backplane payload: " + e.getMessage(), e);
    }
  }

  private static void need(int size, int minimum, int kind) throws IOException {
    if (size < minimum) {
      throw new IOException(
          "Backplane payload of kind " + kind + " has " + size + " elements, needs " + minimum);
    }
  }

  private static void packStrings(MessageBufferPacker p, List<String> values) throws IOException {
    p.packArrayHeader(values.size());
    for (String v : values) {
      p.packString(v);
    }
  }

  private static List<String> unpackStrings(MessageUnpacker u) throws IOException {
    int n = u.unpackArrayHeader();
    List<String> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(u.unpackString());
    }
    return values;
  }

  private static void packMessages(MessageBufferPacker p, Map<String, byte[]> messages)
      throws IOException {
    p.packMapHeader(messages.size());
    for (Map.Entry<String, byte[]> e : messages.entrySet()) {
      p.packString(e.getKey()).packBinaryHeader(e.getValue().length);
      p.writePayload(e.getValue());
    }
  }

  private static Map<String, byte[]> unpackMessages(MessageUnpacker u) throws IOException {
    int n = u.unpackMapHeader();
    Map<String, byte[]> messages = new LinkedHashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      String protocol = u.unpackString();
      messages.put(protocol, u.readPayload(u.unpackBinaryHeader()));
    }
    return messages;
  }
}
