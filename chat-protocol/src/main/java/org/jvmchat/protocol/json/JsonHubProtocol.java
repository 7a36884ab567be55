package org.jvmchat.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
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
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.internal.Binding;
import org.jvmchat.protocol.internal.Envelope;
import org.jvmchat.protocol.internal.Frames;
import org.jvmchat.protocol.internal.Mappers;
import org.jvmchat.protocol.internal.TextMessageFormat;

/**
 * The {@code json} hub protocol (version 2, accepting 1 and 2): each message is a UTF-8 JSON object
 * followed by the record separator 0x1E. Payloads (arguments, items, results) are written and bound
 * by a Jackson {@link ObjectMapper}; the default one writes camelCase properties, reads them
 * case-insensitively, and writes dates as ISO-8601 strings.
 */
public final class JsonHubProtocol implements HubProtocol {
  public static final String NAME = "json";
  public static final int VERSION = 2;

  private final ObjectMapper mapper;
  private final JsonFactory factory;
  private final Frames.BodyParser bodyParser = this::parse;

  /** A protocol with the default payload mapper. */
  public JsonHubProtocol() {
    this(Mappers.json());
  }

  /** A protocol whose payloads are written and bound by {@code mapper}. */
  public JsonHubProtocol(ObjectMapper mapper) {
    this.mapper = mapper;
    this.factory = mapper.getFactory();
  }

  /** The default payload mapper (a new instance each call), to customise and pass back. */
  public static ObjectMapper defaultObjectMapper() {
    return Mappers.json();
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
    return TransferFormat.Text;
  }

  @Override
  public HubMessage tryParse(ByteBuffer buffer, InvocationBinder binder, int maxMessageSize) {
    while (true) {
      int length = TextMessageFormat.payloadLength(buffer, maxMessageSize);
      if (length < 0) {
        return null;
      }
      // the payload and its record separator
      HubMessage message = Frames.parse(buffer, 0, length, length + 1, bodyParser, binder);
      if (message != null) {
        return message;
      }
      // An unknown message type: skipped, as the official implementations do.
    }
  }

  /** Parses one unframed message; {@code null} for a message of an unknown type. */
  HubMessage parse(byte[] data, int offset, int length, InvocationBinder binder) {
    try (JsonParser p = factory.createParser(data, offset, length)) {
      return parse(p, binder);
    } catch (HubProtocolException e) {
      throw e;
    } catch (JsonProcessingException e) {
      throw new HubProtocolException("Error reading JSON: " + e.getOriginalMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new HubProtocolException("Error reading JSON: " + e.getMessage(), e);
    }
  }

  private HubMessage parse(JsonParser p, InvocationBinder binder) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new HubProtocolException(
          "Unexpected JSON Token Type '" + p.currentToken() + "'. Expected a JSON Object.");
    }
    Integer type = null;
    String invocationId = null;
    String target = null;
    String error = null;
    boolean hasError = false;
    TokenBuffer arguments = null;
    TokenBuffer result = null;
    boolean hasResult = false;
    TokenBuffer item = null;
    boolean hasItem = false;
    List<String> streamIds = null;
    Map<String, String> headers = null;
    Long sequenceId = null;
    boolean allowReconnect = false;

    JsonToken token;
    while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "type" -> type = Envelope.messageType(readLong(p, value, "type"));
        case "invocationId" -> invocationId = readStringOrNull(p, value, "invocationId");
        case "target" -> target = readStringOrNull(p, value, "target");
        case "error" -> {
          error = readStringOrNull(p, value, "error");
          hasError = error != null;
        }
        case "result" -> {
          result = copy(p);
          hasResult = true;
        }
        case "item" -> {
          item = copy(p);
          hasItem = true;
        }
        case "arguments" -> {
          if (value != JsonToken.START_ARRAY) {
            throw new HubProtocolException("Expected 'arguments' to be of type Array.");
          }
          arguments = copy(p);
        }
        case "streamIds" -> streamIds = readStringArray(p, value);
        case "headers" -> headers = readHeaders(p, value);
        case "sequenceId" -> sequenceId = readLong(p, value, "sequenceId");
        case "allowReconnect" -> {
          if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
            throw new HubProtocolException("Expected 'allowReconnect' to be of type Boolean.");
          }
          allowReconnect = value == JsonToken.VALUE_TRUE;
        }
        default -> p.skipChildren();
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw new HubProtocolException("Unexpected JSON Token Type '" + token + "'.");
    }
    if (p.nextToken() != null) {
      throw new HubProtocolException("Unexpected data after the JSON object.");
    }
    if (type == null) {
      throw new HubProtocolException("Missing required property 'type'.");
    }
    switch (type) {
      case HubMessage.TYPE_INVOCATION, HubMessage.TYPE_STREAM_INVOCATION -> {
        boolean streaming = type == HubMessage.TYPE_STREAM_INVOCATION;
        if (streaming) {
          require(invocationId, "invocationId");
        }
        require(target, "target");
        if (arguments == null) {
          throw new HubProtocolException("Missing required property 'arguments'.");
        }
        List<Type> types = Envelope.parameterTypes(binder, target);
        if (Envelope.isUnknownTarget(binder, types)) {
          return Envelope.unknownTarget(invocationId, target, streaming);
        }
        List<Object> bound;
        try {
          bound = bindArguments(arguments, types);
        } catch (Binding.Failure e) {
          return Envelope.bindingFailed(invocationId, target, streaming, e);
        }
        return Envelope.invocation(streaming, headers, invocationId, target, bound, streamIds);
      }
      case HubMessage.TYPE_STREAM_ITEM -> {
        require(invocationId, "invocationId");
        if (!hasItem) {
          throw new HubProtocolException("Missing required property 'item'.");
        }
        try {
          return new StreamItemMessage(
              headers, invocationId, bindValue(item, binder.streamItemType(invocationId)));
        } catch (Binding.Failure e) {
          return new StreamBindingFailureMessage(invocationId, e.getMessage());
        }
      }
      case HubMessage.TYPE_COMPLETION -> {
        require(invocationId, "invocationId");
        if (hasError && hasResult) {
          throw new HubProtocolException(
              "The 'error' and 'result' properties are mutually exclusive.");
        }
        if (hasResult) {
          Object value;
          try {
            value = bindValue(result, binder.returnType(invocationId));
          } catch (Binding.Failure e) {
            return CompletionMessage.withError(invocationId, e.getMessage());
          }
          return new CompletionMessage(headers, invocationId, null, value, true);
        }
        return new CompletionMessage(headers, invocationId, error, null, false);
      }
      case HubMessage.TYPE_CANCEL_INVOCATION -> {
        require(invocationId, "invocationId");
        return new CancelInvocationMessage(headers, invocationId);
      }
      case HubMessage.TYPE_PING -> {
        return PingMessage.INSTANCE;
      }
      case HubMessage.TYPE_CLOSE -> {
        return new CloseMessage(error, allowReconnect);
      }
      case HubMessage.TYPE_ACK -> {
        if (sequenceId == null) {
          throw new HubProtocolException("Missing required property 'sequenceId'.");
        }
        return new AckMessage(sequenceId);
      }
      case HubMessage.TYPE_SEQUENCE -> {
        if (sequenceId == null) {
          throw new HubProtocolException("Missing required property 'sequenceId'.");
        }
        return new SequenceMessage(sequenceId);
      }
      default -> {
        return null;
      }
    }
  }

  private static void require(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new HubProtocolException("Missing required property '" + name + "'.");
    }
  }

  private TokenBuffer copy(JsonParser p) throws IOException {
    TokenBuffer buffer = new TokenBuffer(p, null);
    buffer.copyCurrentStructure(p);
    return buffer;
  }

  private List<Object> bindArguments(TokenBuffer arguments, List<Type> types) throws IOException {
    try (JsonParser ap = arguments.asParser(mapper)) {
      ap.nextToken(); // START_ARRAY
      List<Object> values = new ArrayList<>(types == null ? 4 : types.size());
      int index = 0;
      while (ap.nextToken() != JsonToken.END_ARRAY) {
        if (types == null) {
          values.add(mapper.readValue(ap, Object.class));
        } else {
          if (index < types.size()) {
            values.add(Binding.read(mapper, ap, types.get(index), index));
          } else {
            ap.skipChildren();
          }
        }
        index++;
      }
      if (types != null && index != types.size()) {
        throw Binding.countMismatch(index, types.size());
      }
      return values;
    }
  }

  private Object bindValue(TokenBuffer value, Type type) throws IOException {
    try (JsonParser vp = value.asParser(mapper)) {
      vp.nextToken();
      return type == null ? mapper.readValue(vp, Object.class) : Binding.read(mapper, vp, type, -1);
    }
  }

  private static long readLong(JsonParser p, JsonToken value, String name) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT) {
      throw new HubProtocolException("Expected '" + name + "' to be of type Integer.");
    }
    return p.getLongValue();
  }

  private static String readStringOrNull(JsonParser p, JsonToken value, String name)
      throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new HubProtocolException("Expected '" + name + "' to be of type String.");
    }
    return p.getText();
  }

  private static List<String> readStringArray(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_ARRAY) {
      throw new HubProtocolException("Expected 'streamIds' to be of type Array.");
    }
    List<String> ids = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_STRING) {
        throw new HubProtocolException("Expected 'streamIds' to contain only strings.");
      }
      ids.add(p.getText());
    }
    return ids;
  }

  private static Map<String, String> readHeaders(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_OBJECT) {
      throw new HubProtocolException("Expected 'headers' to be of type Object.");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new HubProtocolException("Expected header '" + name + "' to be of type String.");
      }
      headers.put(name, p.getText());
    }
    return headers;
  }

  /**
   * Writes into a builder whose segments come from Jackson's buffer recycler, so serializing a
   * message allocates its result array and little else (the default grows a fresh stream).
   */
  @Override
  public byte[] toBytes(HubMessage message) {
    com.fasterxml.jackson.core.util.ByteArrayBuilder out =
        new com.fasterxml.jackson.core.util.ByteArrayBuilder(factory._getBufferRecycler(), 256);
    try {
      write(message, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      out.release();
    }
  }

  @Override
  public void write(HubMessage message, OutputStream out) throws IOException {
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      if (message instanceof InvocationMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_INVOCATION);
        writeHeaders(g, m.headers());
        writeInvocationId(g, m.invocationId());
        writeCall(g, m.target(), m.arguments(), m.streamIds());
      } else if (message instanceof StreamInvocationMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_STREAM_INVOCATION);
        writeHeaders(g, m.headers());
        writeInvocationId(g, m.invocationId());
        writeCall(g, m.target(), m.arguments(), m.streamIds());
      } else if (message instanceof StreamItemMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_STREAM_ITEM);
        writeHeaders(g, m.headers());
        writeInvocationId(g, m.invocationId());
        g.writeFieldName("item");
        mapper.writeValue(g, m.item());
      } else if (message instanceof CompletionMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_COMPLETION);
        writeHeaders(g, m.headers());
        writeInvocationId(g, m.invocationId());
        if (m.error() != null) {
          g.writeStringField("error", m.error());
        } else if (m.hasResult()) {
          g.writeFieldName("result");
          mapper.writeValue(g, m.result());
        }
      } else if (message instanceof CancelInvocationMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_CANCEL_INVOCATION);
        writeHeaders(g, m.headers());
        writeInvocationId(g, m.invocationId());
      } else if (message instanceof PingMessage) {
        g.writeNumberField("type", HubMessage.TYPE_PING);
      } else if (message instanceof CloseMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_CLOSE);
        if (m.error() != null) {
          g.writeStringField("error", m.error());
        }
        if (m.allowReconnect()) {
          g.writeBooleanField("allowReconnect", true);
        }
      } else if (message instanceof AckMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_ACK);
        g.writeNumberField("sequenceId", m.sequenceId());
      } else if (message instanceof SequenceMessage m) {
        g.writeNumberField("type", HubMessage.TYPE_SEQUENCE);
        g.writeNumberField("sequenceId", m.sequenceId());
      } else {
        throw new IllegalArgumentException(
            message.getClass().getSimpleName() + " is not sent over the wire");
      }
      g.writeEndObject();
    }
    out.write(TextMessageFormat.RECORD_SEPARATOR);
  }

  private static void writeHeaders(JsonGenerator g, Map<String, String> headers)
      throws IOException {
    if (!headers.isEmpty()) {
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> e : headers.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
    }
  }

  private static void writeInvocationId(JsonGenerator g, String invocationId) throws IOException {
    if (invocationId != null && !invocationId.isEmpty()) {
      g.writeStringField("invocationId", invocationId);
    }
  }

  private void writeCall(
      JsonGenerator g, String target, List<Object> arguments, List<String> streamIds)
      throws IOException {
    g.writeStringField("target", target);
    g.writeArrayFieldStart("arguments");
    for (Object argument : arguments) {
      mapper.writeValue(g, argument);
    }
    g.writeEndArray();
    if (!streamIds.isEmpty()) {
      g.writeArrayFieldStart("streamIds");
      for (String id : streamIds) {
        g.writeString(id);
      }
      g.writeEndArray();
    }
  }
}
