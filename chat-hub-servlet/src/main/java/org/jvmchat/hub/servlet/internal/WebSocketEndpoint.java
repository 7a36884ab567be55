package org.jvmchat.hub.servlet.internal;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jvmchat.hub.internal.host.ConnectionLayer;
import org.jvmchat.hub.internal.host.HostWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection's WebSocket, a Jakarta WebSocket {@link Endpoint} created per upgrade (no
 * scanning, no annotation): whole text and binary messages up to the body limit go to the
 * connection; sends are asynchronous ({@link RemoteEndpoint.Async}), one in flight at a time.
 *
 * <p>Reading is paused (a full upload stream, the invocation bound) by holding the container's
 * thread that delivers the next message until the connection resumes: Jakarta WebSocket has no
 * portable way to stop reading a socket, and a held thread is what stops the container reading it.
 * Each paused WebSocket holds one container thread while it is paused. The same wait bounds what is
 * handed to the connection's executor and not yet taken in ({@link #MAX_HANDED_OVER}).
 */
public final class WebSocketEndpoint extends Endpoint implements HostWebSocket {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final ConnectionLayer.WebSocketAccept accept;
  private final int maxMessageSize;
  private final java.util.concurrent.Executor closer;
  private volatile Session session;
  private volatile HostWebSocket.Listener listener;
  private volatile boolean paused;

  /**
   * Bytes handed to the connection (they hop onto its executor) and not yet taken in: past this,
   * the container's thread waits, so that a client cannot queue more than this on the executor
   * before a pause takes effect. One message larger than it is handed over alone.
   */
  static final long MAX_HANDED_OVER = 64 * 1024;

  private final java.util.concurrent.atomic.AtomicLong handedOver =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Throwable error;

  /**
   * @param closer where closes run: a container's close writes the close frame blocking, which the
   *     connection's executor must not wait for
   */
  WebSocketEndpoint(
      ConnectionLayer.WebSocketAccept accept,
      int maxMessageSize,
      java.util.concurrent.Executor closer) {
    this.accept = accept;
    this.maxMessageSize = maxMessageSize;
    this.closer = closer;
  }

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    this.session = session;
    session.setMaxTextMessageBufferSize(maxMessageSize);
    session.setMaxBinaryMessageBufferSize(maxMessageSize);
    session.setMaxIdleTimeout(0); // the hub's keep-alive and client timeout decide
    listener = accept.open(this);
    session.addMessageHandler(
        String.class,
        (MessageHandler.Whole<String>)
            text -> deliver(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::deliver);
  }

  private void deliver(ByteBuffer bytes) {
    long size = bytes.remaining();
    handedOver.addAndGet(size);
    listener.onMessage(bytes, () -> taken(size));
    if (paused || handedOver.get() > MAX_HANDED_OVER) {
      awaitRoom();
    }
  }

  /** Any thread: the connection took {@code size} bytes in. */
  private void taken(long size) {
    if (handedOver.addAndGet(-size) <= MAX_HANDED_OVER) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Holds the container's thread (so that it reads no more) until there is room again. */
  private synchronized void awaitRoom() {
    log.debug("WebSocket reading paused (a full upload stream or the invocation bound)");
    try {
      while ((paused || handedOver.get() > MAX_HANDED_OVER) && session.isOpen()) {
        wait(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    synchronized (this) {
      paused = false;
      notifyAll();
    }
    HostWebSocket.Listener l = listener;
    if (l != null) {
      boolean graceful =
          reason.getCloseCode().getCode() != CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode();
      l.onClose(graceful, graceful ? null : error);
    }
  }

  @Override
  public void onError(Session session, Throwable thr) {
    log.debug("WebSocket error", thr);
    this.error = thr;
  }

  // ---------------------------------------------------------------- HostWebSocket

  @Override
  public void send(byte[] bytes, boolean binary, Consumer<Throwable> done) {
    Session s = session;
    try {
      RemoteEndpoint.Async remote = s.getAsyncRemote();
      if (binary) {
        remote.sendBinary(
            ByteBuffer.wrap(bytes),
            result -> done.accept(result.isOK() ? null : result.getException()));
      } else {
        remote.sendText(
            new String(bytes, StandardCharsets.UTF_8),
            result -> done.accept(result.isOK() ? null : result.getException()));
      }
    } catch (RuntimeException e) {
      done.accept(e);
    }
  }

  @Override
  public void close(int code, String reason) {
    Session s = session;
    if (s == null || !s.isOpen()) {
      return;
    }
    Runnable close =
        () -> {
          try {
            s.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
          } catch (IOException | RuntimeException e) {
            log.debug("Closing a WebSocket failed", e);
          }
        };
    try {
      closer.execute(close);
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      close.run();
    }
  }

  @Override
  public void pauseReading() {
    paused = true;
  }

  @Override
  public synchronized void resumeReading() {
    paused = false;
    notifyAll();
  }
}
