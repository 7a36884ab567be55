package org.jvmchat.hub.internal.hub;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.protocol.HubException;

/**
 * The client-to-server streams of one connection: opened by the dispatcher when an invocation names
 * stream ids (on a hub thread), fed by StreamItem and ended by Completion or a stream binding
 * failure (on the connection's executor), all failed when the connection ends. Thread-safe: the two
 * sides meet in one concurrent map, made when the first stream opens.
 */
public final class UploadStreams {
  private record Open(UploadStream stream, Type itemType) {}

  private static final VarHandle OPEN;

  static {
    try {
      OPEN = MethodHandles.lookup().findVarHandle(UploadStreams.class, "open", Map.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // Made by the first stream opened (an idle connection has none): null until then.
  @SuppressWarnings("unused") // through OPEN
  private volatile Map<String, Open> open;

  private final int capacity;
  private final Executor executor;

  /**
   * @param capacity items buffered per stream before {@link #item} reports it full
   * @param executor where a stream's subscriber is called
   */
  public UploadStreams(int capacity, Executor executor) {
    this.capacity = capacity;
    this.executor = executor;
  }

  /** Registers a stream; null when the id is in use. */
  public UploadStream open(String streamId, Type itemType) {
    UploadStream s = new UploadStream(streamId, capacity, executor);
    return map().putIfAbsent(streamId, new Open(s, itemType)) == null ? s : null;
  }

  /** Forgets a stream (its invocation failed or ended). */
  public void close(String streamId) {
    Map<String, Open> m = open;
    if (m != null) {
      m.remove(streamId);
    }
  }

  /** The item type of an open stream, for the message reader; null when none is open. */
  public Type itemType(String streamId) {
    Open o = get(streamId);
    return o == null ? null : o.itemType();
  }

  /**
   * A StreamItem: hands the item to its stream. Returns the stream when its buffer is now full (the
   * caller pauses reading until {@link UploadStream#onSpace}), else null; items of unknown streams
   * are dropped.
   */
  public UploadStream item(String streamId, Object item) {
    Open o = get(streamId);
    return o != null && !o.stream().offer(item) ? o.stream() : null;
  }

  /**
   * Ends a stream, with an error or not; false when no stream has that id (the Completion is then a
   * client result).
   */
  public boolean complete(String streamId, String error) {
    Map<String, Open> m = open;
    Open o = m == null ? null : m.remove(streamId);
    if (o == null) {
      return false;
    }
    o.stream().complete(error == null ? null : new HubException(error));
    return true;
  }

  /** The connection ended: every open stream fails. */
  public void failAll() {
    Map<String, Open> m = open;
    if (m == null) {
      return;
    }
    for (Open o : m.values()) {
      o.stream().complete(new HubException("The connection was closed."));
    }
    m.clear();
  }

  private Open get(String streamId) {
    Map<String, Open> m = open;
    return m == null ? null : m.get(streamId);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Open> map() {
    Map<String, Open> m = open;
    if (m != null) {
      return m;
    }
    Map<String, Open> made = new ConcurrentHashMap<>();
    Object witness = OPEN.compareAndExchange(this, null, made);
    return witness == null ? made : (Map<String, Open>) witness;
  }
}
