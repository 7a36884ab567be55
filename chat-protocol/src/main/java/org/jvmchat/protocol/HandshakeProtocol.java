package org.jvmchat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.jvmchat.protocol.internal.TextMessageFormat;

/**
 * The handshake: always JSON followed by 0x1E, whatever hub protocol follows. Parsing is
 * incremental like the hub protocols': {@code null} means "not all here yet".
 */
public final class HandshakeProtocol {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] SUCCESS = {'{', '}', TextMessageFormat.RECORD_SEPARATOR};

  private HandshakeProtocol() {}

  /**
   * Parses the client's handshake request at the buffer's position.
   *
   * @return the request, or {@code null} when the buffer holds only part of it (position unchanged)
   * @throws HubProtocolException when it is malformed or over {@code maxMessageSize}
   */
  public static HandshakeRequest tryParseRequest(ByteBuffer buffer, int maxMessageSize) {
    byte[] payload = nextPayload(buffer, maxMessageSize);
    if (payload == null) {
      return null;
    }
    String protocol = null;
    Integer version = null;
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new HubProtocolException("The handshake request must be a JSON object.");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("protocol".equals(field)) {
          if (value != JsonToken.VALUE_STRING) {
            throw new HubProtocolException("Expected 'protocol' to be of type String.");
          }
          protocol = p.getText();
        } else if ("version".equals(field)) {
          if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new HubProtocolException("Expected 'version' to be of type Integer.");
          }
          version = p.getIntValue();
        } else {
          p.skipChildren();
        }
      }
    } catch (HubProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new HubProtocolException("Error reading the handshake request: " + e.getMessage(), e);
    }
    if (protocol == null) {
      throw new HubProtocolException("Missing required property 'protocol'.");
    }
    if (version == null) {
      throw new HubProtocolException("Missing required property 'version'.");
    }
    if (protocol.isEmpty()) {
      throw new HubProtocolException("The 'protocol' property must not be empty.");
    }
    return new HandshakeRequest(protocol, version);
  }

  /** Parses the server's handshake response (client side); {@code null} when incomplete. */
  public static HandshakeResponse tryParseResponse(ByteBuffer buffer, int maxMessageSize) {
    byte[] payload = nextPayload(buffer, maxMessageSize);
    if (payload == null) {
      return null;
    }
    String error = null;
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new HubProtocolException("The handshake response must be a JSON object.");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("type".equals(field)) {
          throw new HubProtocolException("Expected a handshake response from the server.");
        } else if ("error".equals(field) && value == JsonToken.VALUE_STRING) {
          error = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } catch (HubProtocolException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new HubProtocolException("Error reading the handshake response: " + e.getMessage(), e);
    }
    return new HandshakeResponse(error);
  }

  public static byte[] writeRequest(HandshakeRequest request) {
    return write(
        g -> {
          g.writeStringField("protocol", request.protocol());
          g.writeNumberField("version", request.version());
        });
  }

  public static byte[] writeResponse(HandshakeResponse response) {
    if (response.isSuccess()) {
      return SUCCESS.clone();
    }
    return write(g -> g.writeStringField("error", response.error()));
  }

  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Fields fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write(TextMessageFormat.RECORD_SEPARATOR);
    return out.toByteArray();
  }

  private static byte[] nextPayload(ByteBuffer buffer, int maxMessageSize) {
    int length = TextMessageFormat.payloadLength(buffer, maxMessageSize);
    if (length < 0) {
      return null;
    }
    byte[] payload = new byte[length];
    buffer.get(payload);
    buffer.get(); // the separator
    return payload;
  }
}
