package org.jvmchat.client.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jvmchat.client.HubConnectionException;

/**
 * Keep-alive and server timeout of a session (not used on long polling, whose polls keep the
 * connection alive): a Ping when nothing was sent for the keep-alive interval, and the session
 * aborted when nothing was received for the server timeout, except while a stateful reconnect is
 * replacing the socket.
 */
final class Liveness {
  interface Session {
    void sendPing();

    void timedOut(HubConnectionException error);

    /** True while a stateful reconnect is replacing the socket: silence is expected. */
    boolean replacingSocket();

    boolean ended();
  }

  private final SessionTimers timers;
  private final long keepAliveNanos;
  private final long serverTimeoutNanos;
  private final Session session;
  private volatile long lastReceived = System.nanoTime();
  private volatile long lastSent = System.nanoTime();

  Liveness(SessionTimers timers, Duration keepAlive, Duration serverTimeout, Session session) {
    this.timers = timers;
    this.keepAliveNanos = keepAlive.toNanos();
    this.serverTimeoutNanos = serverTimeout.toNanos();
    this.session = session;
  }

  void start() {
    timers.once(this::keepAliveTick, TimeUnit.NANOSECONDS.toMillis(keepAliveNanos));
    timers.once(this::serverTimeoutTick, TimeUnit.NANOSECONDS.toMillis(serverTimeoutNanos));
  }

  void sent() {
    lastSent = System.nanoTime();
  }

  void received() {
    lastReceived = System.nanoTime();
  }

  private void keepAliveTick() {
    if (session.ended()) {
      return;
    }
    long idle = System.nanoTime() - lastSent;
    if (idle >= keepAliveNanos) {
      session.sendPing();
      idle = 0;
    }
    timers.once(this::keepAliveTick, TimeUnit.NANOSECONDS.toMillis(keepAliveNanos - idle) + 1);
  }

  private void serverTimeoutTick() {
    if (session.ended()) {
      return;
    }
    long silent = System.nanoTime() - lastReceived;
    if (silent >= serverTimeoutNanos && !session.replacingSocket()) {
      session.timedOut(
          new HubConnectionException(
              "Server timeout elapsed without receiving a message from the server."));
      return;
    }
    long wait = silent >= serverTimeoutNanos ? serverTimeoutNanos : serverTimeoutNanos - silent;
    timers.once(this::serverTimeoutTick, TimeUnit.NANOSECONDS.toMillis(wait) + 1);
  }
}
