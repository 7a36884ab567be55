package org.jvmchat.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers shared by the message records' compact constructors. */
final class Messages {
  private Messages() {}

  static Map<String, String> headers(Map<String, String> headers) {
    if (headers == null || headers.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** An unmodifiable copy that, unlike {@code List.copyOf}, keeps null elements. */
  static List<Object> arguments(List<?> arguments) {
    if (arguments == null || arguments.isEmpty()) {
      return List.of();
    }
    return Collections.unmodifiableList(new ArrayList<>(arguments));
  }

  static List<String> streamIds(List<String> streamIds) {
    return streamIds == null || streamIds.isEmpty() ? List.of() : List.copyOf(streamIds);
  }

  static String requireNonEmpty(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be null or empty");
    }
    return value;
  }
}
