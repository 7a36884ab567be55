package org.jvmchat.protocol.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Type;

/** Binding one payload value to a Java type, with failures worded for a person. */
public final class Binding {
  private Binding() {}

  /** A value that could not be bound: fails one invocation or stream, not the connection. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Failure(String message, Throwable cause) {
      super(message, cause, false, false);
    }
  }

  /**
   * Binds the value at the parser's current token to {@code type}.
   *
   * @throws Failure when the value does not fit the type (wrong shape, null for a primitive, a
   *     number for a string...). Any failure of the mapper on a well-formed value counts: some (the
   *     MessagePack parser's) throw unchecked exceptions while wording their errors.
   */
  public static Object read(ObjectMapper mapper, JsonParser p, Type type, int index)
      throws IOException {
    try {
      return mapper.readValue(p, mapper.constructType(type));
    } catch (JsonProcessingException e) {
      throw failure(mapper, type, index, e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      throw failure(mapper, type, index, "unexpected " + describe(p.currentToken()), e);
    }
  }

  private static Failure failure(
      ObjectMapper mapper, Type type, int index, String why, Exception cause) {
    String where = index >= 0 ? "argument " + (index + 1) : "value";
    return new Failure(
        "Error binding " + where + " to " + mapper.constructType(type).toCanonical() + ": " + why,
        cause);
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "end of value";
    }
    return switch (token) {
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NUMBER_INT -> "integer";
      case VALUE_NUMBER_FLOAT -> "number";
      case VALUE_STRING -> "string";
      case VALUE_NULL -> "null";
      case START_ARRAY -> "array";
      case START_OBJECT -> "object";
      default -> "value";
    };
  }

  public static Failure countMismatch(int provided, int expected) {
    return new Failure(
        "Invocation provides " + provided + " argument(s) but target expects " + expected + ".",
        null);
  }
}
