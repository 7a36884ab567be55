package org.jvmchat.hub.servlet.internal;

import jakarta.websocket.Session;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A container's own way to stop and restart reading a WebSocket, where it has one: Undertow's
 * session exposes its channel, whose {@code suspendReceives()} / {@code resumeReceives()} stop the
 * I/O thread reading the socket. Jakarta WebSocket has no portable call for it; elsewhere (Tomcat,
 * Jetty) a paused WebSocket holds the thread that delivers its next message instead.
 *
 * <p>Undertow needs this: it delivers a WebSocket's messages on its XNIO I/O thread (unless its
 * {@code WebSocketDeploymentInfo} dispatches to the worker), one of a few that serve every
 * connection, so holding that thread would stop every other connection on it. Found by reflection
 * on the session's own class, so that this module needs no Undertow classes and works whichever
 * class loader holds them.
 */
final class ReadSuspension {
  private static final String UNDERTOW_SESSION = "io.undertow.websockets.jsr.UndertowSession";

  private final Object channel;
  private final Method suspend;
  private final Method resume;

  private ReadSuspension(Object channel, Method suspend, Method resume) {
    this.channel = channel;
    this.suspend = suspend;
    this.resume = resume;
  }

  /** The container's suspension for {@code session}, or null where there is none. */
  static ReadSuspension of(Session session) {
    if (!UNDERTOW_SESSION.equals(session.getClass().getName())) {
      return null;
    }
    try {
      Object channel = session.getClass().getMethod("getWebSocketChannel").invoke(session);
      Class<?> type = channel.getClass();
      return new ReadSuspension(
          channel, type.getMethod("suspendReceives"), type.getMethod("resumeReceives"));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("Undertow's WebSocket channel cannot be paused", e);
    }
  }

  /** Stops reading the socket (any thread; takes effect on the container's I/O thread). */
  void suspend() {
    call(suspend);
  }

  /** Reads the socket again (any thread). */
  void resume() {
    call(resume);
  }

  private void call(Method method) {
    try {
      method.invoke(channel);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
