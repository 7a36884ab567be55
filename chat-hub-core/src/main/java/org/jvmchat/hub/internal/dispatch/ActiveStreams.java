package org.jvmchat.hub.internal.dispatch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The server-to-client streams running on one connection, by invocation id. */
public final class ActiveStreams {
  private final Map<String, StreamHandle> streams = new ConcurrentHashMap<>();

  boolean register(String id, StreamHandle handle) {
    return streams.putIfAbsent(id, handle) == null;
  }

  StreamHandle get(String id) {
    return streams.get(id);
  }

  void remove(String id, StreamHandle handle) {
    streams.remove(id, handle);
  }

  /** Cancels every stream (the connection ended). */
  public void cancelAll() {
    for (Map.Entry<String, StreamHandle> e : streams.entrySet()) {
      e.getValue().cancel();
      streams.remove(e.getKey(), e.getValue());
    }
  }
}
