package org.jvmchat.protocol.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
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

  public static Object read(ObjectMapper mapper, JsonParser p, Type type, int index)
      throws IOException {
    try {
      return mapper.readValue(p, mapper.constructType(type));
    } catch (JsonProcessingException e) {
      String where = index >= 0 ? "argument " + (index + 1) : "value";
      throw new Failure(
          "Error binding "
              + where
              + " to "
              + mapper.constructType(type).toCanonical()
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  public static Failure countMismatch(int provided, int expected) {
    return new Failure(
        "Invocation provides " + provided + " argument(s) but target expects " + expected + ".",
        null);
  }
}
