package org.jvmchat.hub.internal.dispatch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server-to-client streams running on one connection, by invocation id. The map is made when
 * the first stream registers: an idle connection holds none.
 */
public final class ActiveStreams {
  private static final VarHandle STREAMS;

  static {
    try {
      STREAMS = MethodHandles.lookup().findVarHandle(ActiveStreams.class, "streams", Map.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through STREAMS
  private volatile Map<String, StreamHandle> streams;

  boolean register(String id, StreamHandle handle) {
    return map().putIfAbsent(id, handle) == null;
  }

  StreamHandle get(String id) {
    Map<String, StreamHandle> m = streams;
    return m == null ? null : m.get(id);
  }

  void remove(String id, StreamHandle handle) {
    Map<String, StreamHandle> m = streams;
    if (m != null) {
      m.remove(id, handle);
    }
  }

  /** Cancels every stream (the connection ended). */
  public void cancelAll() {
    Map<String, StreamHandle> m = streams;
    if (m == null) {
      return;
    }
    for (Map.Entry<String, StreamHandle> e : m.entrySet()) {
      e.getValue().cancel();
      m.remove(e.getKey(), e.getValue());
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, StreamHandle> map() {
    Map<String, StreamHandle> m = streams;
    if (m != null) {
      return m;
    }
    Map<String, StreamHandle> made = new ConcurrentHashMap<>();
    Object witness = STREAMS.compareAndExchange(this, null, made);
    return witness == null ? made : (Map<String, StreamHandle>) witness;
  }
}
