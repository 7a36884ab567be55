package org.jvmchat.hub.internal.scaleout;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} message keys seen, to deliver a message that arrives on several
 * channels (a send to several groups) only once. Thread-safe.
 */
final class RecentMessages {
  private final Map<String, Boolean> seen;

  RecentMessages(int capacity) {
    this.seen =
        new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** True the first time {@code key} is seen (within the window). */
  synchronized boolean firstSeen(String key) {
    return seen.put(key, Boolean.TRUE) == null;
  }
}
