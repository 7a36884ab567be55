package org.jvmchat.protocol.msgpack;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.BinaryMessageFormat;
import org.jvmchat.protocol.internal.Binding;
import org.jvmchat.protocol.internal.Envelope;
import org.jvmchat.protocol.internal.Frames;
import org.jvmchat.protocol.internal.Mappers;
import org.jvmchat.protocol.internal.MessageSizeLimit;
import org.jvmchat.protocol.internal.msgpack.PackBuffer;
import org.jvmchat.protocol.internal.msgpack.ReadContext;
import org.jvmchat.protocol.internal.msgpack.ValueCodecs;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The {@code messagepack} hub protocol (version 2, accepting 1 and 2): each message is a VarInt
 * length followed by one MessagePack array whose first element is the message type.
 *
 * <p>The envelope is written and read with msgpack-core's packer and unpacker directly (a packer
 * over a reused per-thread array, an unpacker over the received bytes), with no tree in between.
 * Payload values go through writers and readers prepared once per type (strings, numbers, {@code
 * byte[]} as bin, {@link java.time.Instant} as the timestamp extension -1, {@link
 * java.time.OffsetDateTime} as ASP.NET's {@code DateTimeOffset}, lists, maps, plain records and
 * POJOs as maps keyed by their exact property names); anything else, and any value a prepared
 * reader cannot decide on, is written or bound by the Jackson {@link ObjectMapper}, which has the
 * last word on results and errors.
 */
public final class MessagePackHubProtocol implements HubProtocol {
  public static final String NAME = "messagepack";
  public static final int VERSION = 2;

  private static final int MAX_DEPTH = Mappers.MAX_NESTING_DEPTH;

  private final ObjectMapper mapper;
  private final ValueCodecs codecs;
  private final Frames.BodyParser bodyParser = this::parse;

  public MessagePackHubProtocol() {
    this(Mappers.messagePack());
  }

  /**
   * A protocol whose payloads are written and bound by {@code mapper} (a MessagePack mapper): the
   * prepared writers and readers follow its property names and order, and leave every type it
   * customises further to it.
   */
  public MessagePackHubProtocol(ObjectMapper mapper) {
    this.mapper = mapper;
    this.codecs = new ValueCodecs(mapper);
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
      HubMessage message =
          Frames.parse(buffer, prefix, bodyLength, prefix + bodyLength, bodyParser, binder);
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
    try {
      ReadContext c = ReadContext.acquire(data, offset, length);
      try {
        return new Reader(c.unpacker(), c, data, offset, binder).read();
      } finally {
        c.release();
      }
    } catch (HubProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      if (e != ValueCodecs.MISMATCH) {
        throw new HubProtocolException("Error reading MessagePack: " + describe(e), e);
      }
    }
    // A payload the prepared readers could not decide on: read the message again and let the
    // mapper bind every payload value.
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data, offset, length)) {
      return new Reader(u, null, data, offset, binder).read();
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

  /**
   * Reads the fields of one message in order. With a {@link ReadContext} payloads go through the
   * prepared readers (which may throw {@link ValueCodecs#MISMATCH}); without one, through the
   * mapper.
   */
  private final class Reader {
    private final MessageUnpacker u;
    private final ReadContext prepared;
    private final byte[] data;
    private final int offset;
    private final InvocationBinder binder;

    Reader(
        MessageUnpacker u, ReadContext prepared, byte[] data, int offset, InvocationBinder binder) {
      this.u = u;
      this.prepared = prepared;
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
      int type = Envelope.messageType(readLong("messageType"));
      switch (type) {
        case HubMessage.TYPE_INVOCATION:
        case HubMessage.TYPE_STREAM_INVOCATION:
          return readInvocation(type == HubMessage.TYPE_STREAM_INVOCATION, count);
        case HubMessage.TYPE_STREAM_ITEM:
          {
            minimum(count, 4, "StreamItem");
            Map<String, String> headers = readHeaders();
            String id = readInvocationId(true);
            Type itemType = binder.streamItemType(id);
            if (prepared != null) {
              return new StreamItemMessage(headers, id, readPrepared(itemType));
            }
            int[] item = slice();
            try {
              return new StreamItemMessage(headers, id, bind(item, itemType, -1));
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
      List<Type> types = Envelope.parameterTypes(binder, target);
      boolean unknown = Envelope.isUnknownTarget(binder, types);
      if (prepared != null && !unknown && (types == null || types.size() == argc)) {
        List<Object> arguments = new ArrayList<>(initialCapacity(argc));
        for (int i = 0; i < argc; i++) {
          arguments.add(readPrepared(types == null ? null : types.get(i)));
        }
        List<String> streamIds = count >= 6 ? readStreamIds() : null;
        return Envelope.invocation(streaming, headers, id, target, arguments, streamIds);
      }
      List<int[]> slices = new ArrayList<>(initialCapacity(argc));
      for (int i = 0; i < argc; i++) {
        slices.add(slice());
      }
      List<String> streamIds = count >= 6 ? readStreamIds() : null;
      if (unknown) {
        return Envelope.unknownTarget(id, target, streaming);
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
        return Envelope.bindingFailed(id, target, streaming, e);
      }
      return Envelope.invocation(streaming, headers, id, target, arguments, streamIds);
    }

    /** One payload value through its prepared reader; {@code MISMATCH} if it has none. */
    private Object readPrepared(Type type) throws IOException {
      if (type == null) {
        return codecs.readGeneric(prepared, 0);
      }
      ValueCodecs.TypedReader reader = codecs.reader(type);
      if (reader == null) {
        throw ValueCodecs.MISMATCH;
      }
      return reader.read(prepared);
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
            Type type = binder.returnType(id);
            if (prepared != null) {
              return new CompletionMessage(headers, id, null, readPrepared(type), true);
            }
            int[] result = slice();
            try {
              return new CompletionMessage(headers, id, null, bind(result, type, -1), true);
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
    PackBuffer buffer = PackBuffer.acquire();
    try {
      pack(buffer.packer(), message);
      buffer.writeFramed(out);
    } finally {
      buffer.release();
    }
  }

  /** The framed bytes, packed into this thread's reused buffer and copied out once. */
  @Override
  public byte[] toBytes(HubMessage message) {
    PackBuffer buffer = PackBuffer.acquire();
    try {
      pack(buffer.packer(), message);
      return buffer.framed();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      buffer.release();
    }
  }

  private void pack(MessagePacker pk, HubMessage message) throws IOException {
    if (message instanceof InvocationMessage m) {
      packCall(
          pk,
          HubMessage.TYPE_INVOCATION,
          m.headers(),
          m.invocationId(),
          m.target(),
          m.arguments(),
          m.streamIds());
    } else if (message instanceof StreamInvocationMessage m) {
      packCall(
          pk,
          HubMessage.TYPE_STREAM_INVOCATION,
          m.headers(),
          m.invocationId(),
          m.target(),
          m.arguments(),
          m.streamIds());
    } else if (message instanceof StreamItemMessage m) {
      pk.packArrayHeader(4).packInt(HubMessage.TYPE_STREAM_ITEM);
      packHeaders(pk, m.headers());
      pk.packString(m.invocationId());
      codecs.write(pk, m.item());
    } else if (message instanceof CompletionMessage m) {
      boolean hasValue = m.error() != null || m.hasResult();
      pk.packArrayHeader(hasValue ? 5 : 4).packInt(HubMessage.TYPE_COMPLETION);
      packHeaders(pk, m.headers());
      pk.packString(m.invocationId());
      if (m.error() != null) {
        pk.packInt(1).packString(m.error());
      } else if (m.hasResult()) {
        pk.packInt(3);
        codecs.write(pk, m.result());
      } else {
        pk.packInt(2);
      }
    } else if (message instanceof CancelInvocationMessage m) {
      pk.packArrayHeader(3).packInt(HubMessage.TYPE_CANCEL_INVOCATION);
      packHeaders(pk, m.headers());
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
  }

  private void packCall(
      MessagePacker pk,
      int type,
      Map<String, String> headers,
      String invocationId,
      String target,
      List<Object> arguments,
      List<String> streamIds)
      throws IOException {
    pk.packArrayHeader(6).packInt(type);
    packHeaders(pk, headers);
    if (invocationId == null) {
      pk.packNil();
    } else {
      pk.packString(invocationId);
    }
    pk.packString(target);
    pk.packArrayHeader(arguments.size());
    for (Object argument : arguments) {
      codecs.write(pk, argument);
    }
    pk.packArrayHeader(streamIds.size());
    for (String id : streamIds) {
      pk.packString(id);
    }
  }

  private static void packHeaders(MessagePacker pk, Map<String, String> headers)
      throws IOException {
    pk.packMapHeader(headers.size());
    for (Map.Entry<String, String> e : headers.entrySet()) {
      pk.packString(e.getKey()).packString(e.getValue());
    }
  }
}
