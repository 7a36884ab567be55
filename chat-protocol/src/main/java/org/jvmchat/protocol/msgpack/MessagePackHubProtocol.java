package org.jvmchat.protocol.msgpack;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.BinaryMessageFormat;
import org.jvmchat.protocol.internal.Binding;
import org.jvmchat.protocol.internal.Mappers;
import org.jvmchat.protocol.internal.MessageSizeLimit;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The {@code messagepack} hub protocol (version 2, accepting 1 and 2): each message is a VarInt
 * length followed by one MessagePack array whose first element is the message type. Payloads are
 * written and bound by a Jackson {@link ObjectMapper} over MessagePack: objects become maps keyed
 * by their exact property names, {@code byte[]} becomes bin, {@link java.time.Instant} the
 * timestamp extension (-1).
 */
public final class MessagePackHubProtocol implements HubProtocol {
  public static final String NAME = "messagepack";
  public static final int VERSION = 2;

  private static final int MAX_DEPTH = Mappers.MAX_NESTING_DEPTH;

  private final ObjectMapper mapper;

  public MessagePackHubProtocol() {
    this(Mappers.messagePack());
  }

  /** A protocol whose payloads are written and bound by {@code mapper} (a MessagePack mapper). */
  public MessagePackHubProtocol(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** The default payload mapper (a new instance each call), to customise and pass back. */
  public static ObjectMapper defaultObjectMapper() {
    return Mappers.messagePack();
  }

  public ObjectMapper objectMapper() {
    return mapper;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int version() {
    return VERSION;
  }

  @Override
  public TransferFormat transferFormat() {
    return TransferFormat.Binary;
  }

  @Override
  public HubMessage tryParse(ByteBuffer buffer, InvocationBinder binder, int maxMessageSize) {
    while (true) {
      long header = BinaryMessageFormat.peekPrefix(buffer);
      if (header < 0) {
        return null;
      }
      int prefix = BinaryMessageFormat.prefixBytes(header);
      int bodyLength = BinaryMessageFormat.bodyLength(header);
      if (maxMessageSize > 0 && (long) prefix + bodyLength > maxMessageSize) {
        throw MessageSizeLimit.exceeded(maxMessageSize);
      }
      if (buffer.remaining() < (long) prefix + bodyLength) {
        return null;
      }
      byte[] data;
      int offset;
      if (buffer.hasArray()) {
        data = buffer.array();
        offset = buffer.arrayOffset() + buffer.position() + prefix;
        buffer.position(buffer.position() + prefix + bodyLength);
      } else {
        data = new byte[bodyLength];
        buffer.position(buffer.position() + prefix);
        buffer.get(data);
        offset = 0;
      }
      HubMessage message = parse(data, offset, bodyLength, binder);
      if (message != null) {
        return message;
      }
    }
  }

  /** Parses one unframed message body; {@code null} for a message of an unknown type. */
  HubMessage parse(byte[] data, int offset, int length, InvocationBinder binder) {
    if (length == 0) {
      throw new HubProtocolException("A MessagePack message body must not be empty.");
    }
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data, offset, length)) {
      return new Reader(u, data, offset, binder).read();
    } catch (HubProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new HubProtocolException("Error reading MessagePack: " + describe(e), e);
    }
  }

  private static String describe(Exception e) {
    if (e instanceof org.msgpack.core.MessageInsufficientBufferException) {
      return "the message is truncated.";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Reads the fields of one message in order. */
  private final class Reader {
    private final MessageUnpacker u;
    private final byte[] data;
    private final int offset;
    private final InvocationBinder binder;

    Reader(MessageUnpacker u, byte[] data, int offset, InvocationBinder binder) {
      this.u = u;
      this.data = data;
      this.offset = offset;
      this.binder = binder;
    }

    HubMessage read() throws IOException {
      if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new HubProtocolException("A MessagePack message must be an array.");
      }
      int count = u.unpackArrayHeader();
      if (count < 1) {
        throw new HubProtocolException("A MessagePack message array must not be empty.");
      }
      long typeValue = readLong("messageType");
      // A type outside 1..9 maps to 0, which is skipped like any other unknown type.
      int type =
          typeValue >= HubMessage.TYPE_INVOCATION && typeValue <= HubMessage.TYPE_SEQUENCE
              ? (int) typeValue
              : 0;
      switch (type) {
        case HubMessage.TYPE_INVOCATION:
        case HubMessage.TYPE_STREAM_INVOCATION:
          return readInvocation(type == HubMessage.TYPE_STREAM_INVOCATION, count);
        case HubMessage.TYPE_STREAM_ITEM:
          {
            minimum(count, 4, "StreamItem");
            Map<String, String> headers = readHeaders();
            String id = readInvocationId(true);
            int[] item = slice();
            try {
              return new StreamItemMessage(headers, id, bind(item, binder.streamItemType(id), -1));
            } catch (Binding.Failure e) {
              return new StreamBindingFailureMessage(id, e.getMessage());
            }
          }
        case HubMessage.TYPE_COMPLETION:
          return readCompletion(count);
        case HubMessage.TYPE_CANCEL_INVOCATION:
          {
            minimum(count, 3, "CancelInvocation");
            Map<String, String> headers = readHeaders();
            return new CancelInvocationMessage(headers, readInvocationId(true));
          }
        case HubMessage.TYPE_PING:
          return PingMessage.INSTANCE;
        case HubMessage.TYPE_CLOSE:
          {
            minimum(count, 2, "Close");
            String error = readStringOrNil("error");
            boolean allowReconnect = false;
            if (count >= 3) {
              if (u.getNextFormat().getValueType() != ValueType.BOOLEAN) {
                throw new HubProtocolException("Reading 'allowReconnect' as Boolean failed.");
              }
              allowReconnect = u.unpackBoolean();
            }
            return new CloseMessage(error, allowReconnect);
          }
        case HubMessage.TYPE_ACK:
          minimum(count, 2, "Ack");
          return new AckMessage(readLong("sequenceId"));
        case HubMessage.TYPE_SEQUENCE:
          minimum(count, 2, "Sequence");
          return new SequenceMessage(readLong("sequenceId"));
        default:
          return null;
      }
    }

    private HubMessage readInvocation(boolean streaming, int count) throws IOException {
      minimum(count, 5, streaming ? "StreamInvocation" : "Invocation");
      Map<String, String> headers = readHeaders();
      String id = readInvocationId(streaming);
      String target = readString("target");
      if (target.isEmpty()) {
        throw new HubProtocolException("'target' must not be empty.");
      }
      if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new HubProtocolException("Reading 'arguments' as Array failed.");
      }
      int argc = u.unpackArrayHeader();
      List<int[]> slices = new ArrayList<>(initialCapacity(argc));
      for (int i = 0; i < argc; i++) {
        slices.add(slice());
      }
      List<String> streamIds = null;
      if (count >= 6) {
        streamIds = readStreamIds();
      }
      List<Type> types = binder.bindsGenerically() ? null : binder.parameterTypes(target);
      if (types == null && !binder.bindsGenerically()) {
        return new InvocationBindingFailureMessage(
            id, target, streaming, true, "Unknown hub method '" + target + "'");
      }
      List<Object> arguments = new ArrayList<>(slices.size());
      try {
        if (types != null && types.size() != argc) {
          throw Binding.countMismatch(argc, types.size());
        }
        for (int i = 0; i < argc; i++) {
          arguments.add(bind(slices.get(i), types == null ? null : types.get(i), i));
        }
      } catch (Binding.Failure e) {
        return new InvocationBindingFailureMessage(id, target, streaming, false, e.getMessage());
      }
      return streaming
          ? new StreamInvocationMessage(headers, id, target, arguments, streamIds)
          : new InvocationMessage(headers, id, target, arguments, streamIds);
    }

    private HubMessage readCompletion(int count) throws IOException {
      minimum(count, 4, "Completion");
      Map<String, String> headers = readHeaders();
      String id = readInvocationId(true);
      long kind = readLong("resultKind");
      switch (kind >= 1 && kind <= 3 ? (int) kind : 0) {
        case 1:
          minimum(count, 5, "Completion");
          return new CompletionMessage(headers, id, readString("error"), null, false);
        case 2:
          return new CompletionMessage(headers, id, null, null, false);
        case 3:
          {
            minimum(count, 5, "Completion");
            int[] result = slice();
            try {
              return new CompletionMessage(
                  headers, id, null, bind(result, binder.returnType(id), -1), true);
            } catch (Binding.Failure e) {
              return CompletionMessage.withError(id, e.getMessage());
            }
          }
        default:
          throw new HubProtocolException("Invalid invocation result kind: " + kind + ".");
      }
    }

    /** Never trust a claimed element count for an allocation: the data may be far shorter. */
    private int initialCapacity(int claimed) {
      return Math.min(claimed, 16);
    }

    private void minimum(int count, int minimum, String what) {
      if (count < minimum) {
        throw new HubProtocolException(
            "Invalid " + what + " message: expected at least " + minimum + " elements.");
      }
    }

    private long readLong(String field) throws IOException {
      MessageFormat f = u.getNextFormat();
      if (f.getValueType() != ValueType.INTEGER) {
        throw new HubProtocolException("Reading '" + field + "' as Integer failed.");
      }
      return u.unpackLong();
    }

    private String readString(String field) throws IOException {
      if (u.getNextFormat().getValueType() != ValueType.STRING) {
        throw new HubProtocolException("Reading '" + field + "' as String failed.");
      }
      return u.unpackString();
    }

    private String readStringOrNil(String field) throws IOException {
      if (u.getNextFormat() == MessageFormat.NIL) {
        u.unpackNil();
        return null;
      }
      return readString(field);
    }

    private String readInvocationId(boolean required) throws IOException {
      String id = readStringOrNil("invocationId");
      if (id != null && id.isEmpty()) {
        id = null;
      }
      if (required && id == null) {
        throw new HubProtocolException("Missing required property 'invocationId'.");
      }
      return id;
    }

    private Map<String, String> readHeaders() throws IOException {
      if (u.getNextFormat().getValueType() != ValueType.MAP) {
        throw new HubProtocolException("Reading 'headers' as Map failed.");
      }
      int n = u.unpackMapHeader();
      if (n == 0) {
        return Map.of();
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        headers.put(readString("header name"), readString("header value"));
      }
      return headers;
    }

    private List<String> readStreamIds() throws IOException {
      if (u.getNextFormat() == MessageFormat.NIL) {
        u.unpackNil();
        return null;
      }
      if (u.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw new HubProtocolException("Reading 'streamIds' as Array failed.");
      }
      int n = u.unpackArrayHeader();
      List<String> ids = new ArrayList<>(initialCapacity(n));
      for (int i = 0; i < n; i++) {
        ids.add(readString("streamId"));
      }
      return ids;
    }

    /**
     * Skips one value, checking its nesting depth, and returns its {offset, length} in {@code
     * data}. Iterative, so a hostile depth cannot overflow the stack.
     */
    private int[] slice() throws IOException {
      int start = (int) u.getTotalReadBytes();
      long pending = 1;
      long[] stack = new long[MAX_DEPTH + 1];
      int depth = 0;
      while (true) {
        if (pending == 0) {
          if (depth == 0) {
            break;
          }
          pending = stack[--depth];
          continue;
        }
        pending--;
        MessageFormat f = u.getNextFormat();
        switch (f.getValueType()) {
          case ARRAY, MAP -> {
            long n =
                f.getValueType() == ValueType.ARRAY
                    ? u.unpackArrayHeader()
                    : 2L * u.unpackMapHeader();
            if (depth == MAX_DEPTH) {
              throw new HubProtocolException(
                  "The payload is nested deeper than " + MAX_DEPTH + " levels.");
            }
            stack[depth++] = pending;
            pending = n;
          }
          default -> u.skipValue();
        }
      }
      int end = (int) u.getTotalReadBytes();
      return new int[] {offset + start, end - start};
    }

    private Object bind(int[] slice, Type type, int index) throws IOException {
      try (JsonParser p = mapper.getFactory().createParser(data, slice[0], slice[1])) {
        p.nextToken();
        return type == null
            ? mapper.readValue(p, Object.class)
            : Binding.read(mapper, p, type, index);
      }
    }
  }

  @Override
  public void write(HubMessage message, OutputStream out) throws IOException {
    MessageBufferPacker pk = MessagePack.newDefaultBufferPacker();
    if (message instanceof InvocationMessage m) {
      writeCall(
          pk,
          HubMessage.TYPE_INVOCATION,
          m.headers(),
          m.invocationId(),
          m.target(),
          m.arguments(),
          m.streamIds());
    } else if (message instanceof StreamInvocationMessage m) {
      writeCall(
          pk,
          HubMessage.TYPE_STREAM_INVOCATION,
          m.headers(),
          m.invocationId(),
          m.target(),
          m.arguments(),
          m.streamIds());
    } else if (message instanceof StreamItemMessage m) {
      pk.packArrayHeader(4).packInt(HubMessage.TYPE_STREAM_ITEM);
      writeHeaders(pk, m.headers());
      pk.packString(m.invocationId());
      writeValue(pk, m.item());
    } else if (message instanceof CompletionMessage m) {
      boolean hasValue = m.error() != null || m.hasResult();
      pk.packArrayHeader(hasValue ? 5 : 4).packInt(HubMessage.TYPE_COMPLETION);
      writeHeaders(pk, m.headers());
      pk.packString(m.invocationId());
      if (m.error() != null) {
        pk.packInt(1).packString(m.error());
      } else if (m.hasResult()) {
        pk.packInt(3);
        writeValue(pk, m.result());
      } else {
        pk.packInt(2);
      }
    } else if (message instanceof CancelInvocationMessage m) {
      pk.packArrayHeader(3).packInt(HubMessage.TYPE_CANCEL_INVOCATION);
      writeHeaders(pk, m.headers());
      pk.packString(m.invocationId());
    } else if (message instanceof PingMessage) {
      pk.packArrayHeader(1).packInt(HubMessage.TYPE_PING);
    } else if (message instanceof CloseMessage m) {
      pk.packArrayHeader(3).packInt(HubMessage.TYPE_CLOSE);
      if (m.error() == null) {
        pk.packNil();
      } else {
        pk.packString(m.error());
      }
      pk.packBoolean(m.allowReconnect());
    } else if (message instanceof AckMessage m) {
      pk.packArrayHeader(2).packInt(HubMessage.TYPE_ACK).packLong(m.sequenceId());
    } else if (message instanceof SequenceMessage m) {
      pk.packArrayHeader(2).packInt(HubMessage.TYPE_SEQUENCE).packLong(m.sequenceId());
    } else {
      throw new IllegalArgumentException(
          message.getClass().getSimpleName() + " is not sent over the wire");
    }
    pk.flush();
    long size = pk.getBufferSize();
    BinaryMessageFormat.writeLengthPrefix(size, out);
    for (org.msgpack.core.buffer.MessageBuffer chunk : pk.toBufferList()) {
      if (chunk.hasArray()) {
        out.write(chunk.array(), chunk.arrayOffset(), chunk.size());
      } else {
        out.write(chunk.toByteArray());
      }
    }
  }

  private void writeCall(
      MessageBufferPacker pk,
      int type,
      Map<String, String> headers,
      String invocationId,
      String target,
      List<Object> arguments,
      List<String> streamIds)
      throws IOException {
    pk.packArrayHeader(6).packInt(type);
    writeHeaders(pk, headers);
    if (invocationId == null) {
      pk.packNil();
    } else {
      pk.packString(invocationId);
    }
    pk.packString(target);
    pk.packArrayHeader(arguments.size());
    for (Object argument : arguments) {
      writeValue(pk, argument);
    }
    pk.packArrayHeader(streamIds.size());
    for (String id : streamIds) {
      pk.packString(id);
    }
  }

  private static void writeHeaders(MessageBufferPacker pk, Map<String, String> headers)
      throws IOException {
    pk.packMapHeader(headers.size());
    for (Map.Entry<String, String> e : headers.entrySet()) {
      pk.packString(e.getKey()).packString(e.getValue());
    }
  }

  private void writeValue(MessageBufferPacker pk, Object value) throws IOException {
    if (value == null) {
      pk.packNil();
      return;
    }
    if (value instanceof String s) {
      pk.packString(s);
      return;
    }
    if (value instanceof Integer i) {
      pk.packInt(i);
      return;
    }
    if (value instanceof Long l) {
      pk.packLong(l);
      return;
    }
    if (value instanceof Boolean b) {
      pk.packBoolean(b);
      return;
    }
    OutputStream sink =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            pk.writePayload(new byte[] {(byte) b});
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            pk.writePayload(b, off, len);
          }
        };
    try (JsonGenerator g = mapper.getFactory().createGenerator(sink)) {
      mapper.writeValue(g, value);
    }
  }
}
