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
 * <p>Reading is paused (a full upload stream, the invocation bound) with the container's own
 * suspension where it has one ({@link ReadSuspension}: Undertow, whose I/O thread delivers the
 * messages and must not be held), else by holding the container's thread that delivers the next
 * message until the connection resumes: Jakarta WebSocket has no portable way to stop reading a
 * socket, and a held thread is what stops Tomcat and Jetty reading it. Each paused WebSocket holds
 * one container thread while it is paused there. The same pause bounds what is handed to the
 * connection's executor and not yet taken in ({@link #MAX_HANDED_OVER}).
 */
public final class WebSocketEndpoint extends Endpoint implements HostWebSocket {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);

  private final ConnectionLayer.WebSocketAccept accept;
  private final int maxMessageSize;
  private final java.util.concurrent.Executor closer;
  private volatile Session session;
  private volatile HostWebSocket.Listener listener;
  private volatile boolean paused;

  /** The container's own suspension of reading, or null (hold the delivering thread instead). */
  private volatile ReadSuspension suspension;

  /** Requests to bring the suspension in line with the state; one thread applies them at a time. */
  private final java.util.concurrent.atomic.AtomicInteger suspensionRequests =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Whether the container's reading is suspended; only the applying thread touches it. */
  private boolean suspended;

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
    suspension = ReadSuspension.of(session);
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
      if (suspension != null) {
        applySuspension();
      } else {
        awaitRoom();
      }
    }
  }

  /** Any thread: the connection took {@code size} bytes in. */
  private void taken(long size) {
    if (handedOver.addAndGet(-size) <= MAX_HANDED_OVER) {
      if (suspension != null) {
        applySuspension();
      } else {
        synchronized (this) {
          notifyAll();
        }
      }
    }
  }

  /**
   * Any thread: suspends or resumes the container's reading as the state wants. The channel's calls
   * are made by one thread at a time and outside this endpoint's lock (the container takes its own
   * lock in them); whoever applies last has seen the last state.
   */
  private void applySuspension() {
    if (suspensionRequests.getAndIncrement() != 0) {
      return; // the applying thread will see this request
    }
    int requests = 1;
    do {
      boolean hold = (paused || handedOver.get() > MAX_HANDED_OVER) && session.isOpen();
      if (hold != suspended) {
        suspended = hold;
        try {
          if (hold) {
            log.debug("WebSocket reading paused (a full upload stream or the invocation bound)");
            suspension.suspend();
          } else {
            suspension.resume();
          }
        } catch (RuntimeException e) {
          log.debug("Suspending or resuming a WebSocket's reading failed", e);
        }
      }
      requests = suspensionRequests.addAndGet(-requests);
    } while (requests != 0);
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
    if (suspension != null) {
      applySuspension();
    }
  }

  @Override
  public void resumeReading() {
    paused = false;
    if (suspension != null) {
      applySuspension();
    }
    synchronized (this) {
      notifyAll();
    }
  }
}
