package org.jvmchat.protocol.negotiate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.TransferFormat;

/**
 * The body of {@code POST {hub}/negotiate}. One of three shapes: a connection (version 0: id only;
 * version 1: id and secret token), a redirect ({@code url}, {@code accessToken}), or an error.
 */
public record NegotiateResponse(
    int negotiateVersion,
    String connectionId,
    String connectionToken,
    List<AvailableTransport> availableTransports,
    boolean useStatefulReconnect,
    String url,
    String accessToken,
    String error) {

  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper READER = new ObjectMapper();

  public NegotiateResponse {
    availableTransports =
        availableTransports == null ? List.of() : List.copyOf(availableTransports);
  }

  public static NegotiateResponse connection(
      int negotiateVersion,
      String connectionId,
      String connectionToken,
      List<AvailableTransport> transports,
      boolean useStatefulReconnect) {
    return new NegotiateResponse(
        negotiateVersion,
        connectionId,
        negotiateVersion >= 1 ? connectionToken : null,
        transports,
        useStatefulReconnect,
        null,
        null,
        null);
  }

  public static NegotiateResponse redirect(String url, String accessToken) {
    return new NegotiateResponse(0, null, null, List.of(), false, url, accessToken, null);
  }

  public static NegotiateResponse error(String error) {
    return new NegotiateResponse(0, null, null, List.of(), false, null, null, error);
  }

  /** The token a client puts in {@code id=}: the connection token, or the id for version 0. */
  public String effectiveConnectionToken() {
    return negotiateVersion >= 1 && connectionToken != null ? connectionToken : connectionId;
  }

  /** Writes the JSON body with properties in the order ASP.NET Core writes them. */
  public byte[] toJson() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (error != null) {
        g.writeStringField("error", error);
      } else if (url != null) {
        g.writeStringField("url", url);
        if (accessToken != null) {
          g.writeStringField("accessToken", accessToken);
        }
      } else {
        if (useStatefulReconnect) {
          g.writeBooleanField("useStatefulReconnect", true);
        }
        g.writeNumberField("negotiateVersion", negotiateVersion);
        g.writeStringField("connectionId", connectionId);
        if (negotiateVersion >= 1 && connectionToken != null) {
          g.writeStringField("connectionToken", connectionToken);
        }
        g.writeArrayFieldStart("availableTransports");
        for (AvailableTransport t : availableTransports) {
          g.writeStartObject();
          g.writeStringField("transport", t.transport().name());
          g.writeArrayFieldStart("transferFormats");
          for (TransferFormat f : t.transferFormats()) {
            g.writeString(f.name());
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Reads a negotiate body (client side). Unknown transports and formats are skipped.
   *
   * @throws HubProtocolException when the body is not a negotiate response
   */
  public static NegotiateResponse parse(byte[] body) {
    JsonNode root;
    try {
      root = READER.readTree(body);
    } catch (IOException e) {
      throw new HubProtocolException("Invalid negotiate response: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new HubProtocolException("Invalid negotiate response: not a JSON object.");
    }
    if (root.has("ProtocolVersion")) {
      throw new HubProtocolException(
          "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports"
              + " connecting to an ASP.NET Core SignalR Server.");
    }
    if (root.hasNonNull("error")) {
      return error(root.get("error").asText());
    }
    if (root.hasNonNull("url")) {
      return redirect(
          root.get("url").asText(),
          root.hasNonNull("accessToken") ? root.get("accessToken").asText() : null);
    }
    List<AvailableTransport> transports = new ArrayList<>();
    for (JsonNode t : root.path("availableTransports")) {
      HttpTransportType type = enumOrNull(HttpTransportType.class, t.path("transport").asText());
      if (type == null) {
        continue;
      }
      List<TransferFormat> formats = new ArrayList<>();
      for (JsonNode f : t.path("transferFormats")) {
        TransferFormat format = enumOrNull(TransferFormat.class, f.asText());
        if (format != null) {
          formats.add(format);
        }
      }
      transports.add(new AvailableTransport(type, formats));
    }
    int version = root.path("negotiateVersion").asInt(0);
    String id = root.hasNonNull("connectionId") ? root.get("connectionId").asText() : null;
    String token = root.hasNonNull("connectionToken") ? root.get("connectionToken").asText() : null;
    if (version >= 1 && token == null) {
      throw new HubProtocolException("Invalid negotiate response: no connectionToken.");
    }
    return new NegotiateResponse(
        version,
        id,
        token,
        transports,
        root.path("useStatefulReconnect").asBoolean(false),
        null,
        null,
        null);
  }

  private static <E extends Enum<E>> E enumOrNull(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    return null;
  }
}
