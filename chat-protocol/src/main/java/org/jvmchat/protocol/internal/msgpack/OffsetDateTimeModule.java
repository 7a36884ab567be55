package org.jvmchat.protocol.internal.msgpack;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.jackson.dataformat.MessagePackExtensionType;

/**
 * {@link OffsetDateTime} in the MessagePack mapper as ASP.NET Core's MessagePack protocol writes a
 * {@code DateTimeOffset} (MessagePack-CSharp's {@code DateTimeOffsetFormatter}): a two-element
 * array of the local date-time written as a UTC timestamp (extension -1) and the offset in minutes.
 * The prepared writer and reader ({@link ValueCodecs}) produce and accept the same bytes.
 */
public final class OffsetDateTimeModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  public OffsetDateTimeModule() {
    super("jvmchat-offset-date-time");
    addSerializer(OffsetDateTime.class, new Ser());
    addDeserializer(OffsetDateTime.class, new Deser());
  }

  private static final class Ser extends StdSerializer<OffsetDateTime> {
    private static final long serialVersionUID = 1L;

    Ser() {
      super(OffsetDateTime.class);
    }

    @Override
    public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
      p.packTimestamp(value.toLocalDateTime().toInstant(ZoneOffset.UTC));
      byte[] ext = p.toByteArray();
      // fixext 4 / fixext 8: d6|d7 ff <data>; ext 8: c7 0c ff <data>
      int header = (ext[0] & 0xFF) == 0xC7 ? 3 : 2;
      gen.writeStartArray();
      provider.defaultSerializeValue(
          new MessagePackExtensionType((byte) -1, Arrays.copyOfRange(ext, header, ext.length)),
          gen);
      gen.writeNumber((short) (value.getOffset().getTotalSeconds() / 60));
      gen.writeEndArray();
    }
  }

  private static final class Deser extends StdDeserializer<OffsetDateTime> {
    private static final long serialVersionUID = 1L;

    Deser() {
      super(OffsetDateTime.class);
    }

    @Override
    public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      if (!p.isExpectedStartArrayToken()) {
        return (OffsetDateTime)
            ctxt.handleUnexpectedToken(
                OffsetDateTime.class,
                p.currentToken(),
                p,
                "expected [timestamp, offset minutes] (a DateTimeOffset)");
      }
      p.nextToken();
      Instant local = ctxt.readValue(p, Instant.class);
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        return (OffsetDateTime)
            ctxt.handleUnexpectedToken(
                OffsetDateTime.class, p.currentToken(), p, "expected the offset in minutes");
      }
      int minutes = p.getIntValue();
      if (p.nextToken() != JsonToken.END_ARRAY) {
        return (OffsetDateTime)
            ctxt.handleUnexpectedToken(
                OffsetDateTime.class, p.currentToken(), p, "expected the end of the array");
      }
      if (local == null || minutes < -18 * 60 || minutes > 18 * 60) {
        return (OffsetDateTime)
            ctxt.handleWeirdNumberValue(
                OffsetDateTime.class, minutes, "not a DateTimeOffset (offset out of range)");
      }
      return OffsetDateTime.of(
          LocalDateTime.ofEpochSecond(local.getEpochSecond(), local.getNano(), ZoneOffset.UTC),
          ZoneOffset.ofTotalSeconds(minutes * 60));
    }
  }
}
