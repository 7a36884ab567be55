package org.jvmchat.hub.internal.hub;

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
 * sides meet in one concurrent map.
 */
public final class UploadStreams {
  private record Open(UploadStream stream, Type itemType) {}

  private final Map<String, Open> open = new ConcurrentHashMap<>();
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
    return open.putIfAbsent(streamId, new Open(s, itemType)) == null ? s : null;
  }

  /** Forgets a stream (its invocation failed or ended). */
  public void close(String streamId) {
    open.remove(streamId);
  }

  /** The item type of an open stream, for the message reader; null when none is open. */
  public Type itemType(String streamId) {
    Open o = open.get(streamId);
    return o == null ? null : o.itemType();
  }

  /**
   * A StreamItem: hands the item to its stream. Returns the stream when its buffer is now full (the
   * caller pauses reading until {@link UploadStream#onSpace}), else null; items of unknown streams
   * are dropped.
   */
  public UploadStream item(String streamId, Object item) {
    Open o = open.get(streamId);
    return o != null && !o.stream().offer(item) ? o.stream() : null;
  }

  /**
   * Ends a stream, with an error or not; false when no stream has that id (the Completion is then a
   * client result).
   */
  public boolean complete(String streamId, String error) {
    Open o = open.remove(streamId);
    if (o == null) {
      return false;
    }
    o.stream().complete(error == null ? null : new HubException(error));
    return true;
  }

  /** The connection ended: every open stream fails. */
  public void failAll() {
    for (Open o : open.values()) {
      o.stream().complete(new HubException("The connection was closed."));
    }
    open.clear();
  }
}
