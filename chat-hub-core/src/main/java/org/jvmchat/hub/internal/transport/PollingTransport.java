package org.jvmchat.hub.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Long polling, whatever carries the requests (the Netty host's {@link LongPollingTransport}, the
 * host seam's): the connection's executor is this transport's event loop (that of the first poll);
 * later polls arrive on other threads and hop onto it. Each poll is held until there is data (200
 * with all of it), the poll timeout passes (200, empty), a newer poll replaces it (204), or the
 * connection has ended and nothing is left (204, after which the connection is forgotten). A host
 * says only how a poll is answered ({@link #respond}).
 *
 * @param <P> a held poll, as the host answers it
 */
public abstract class PollingTransport<P> implements Transport {
  protected final TransportConnection connection;
  private final Outbound outbound;
  private final EventExecutor eventLoop;
  private final Duration pollTimeout;
  private P pending; // executor
  private ScheduledFuture<?> pendingTimeout; // executor

  protected PollingTransport(
      TransportConnection connection,
      Outbound outbound,
      EventExecutor eventLoop,
      Duration pollTimeout) {
    this.connection = connection;
    this.outbound = outbound;
    this.eventLoop = eventLoop;
    this.pollTimeout = pollTimeout;
  }

  /**
   * Answers a poll: 200 with {@code body} (empty when the poll timed out), or 204 ({@code body}
   * null) when a newer poll replaced it or the connection has ended.
   */
  protected abstract void respond(P poll, int status, List<byte[]> body);

  /** Executor, once a poll is held: what else the host watches of it (its socket's close). */
  protected void held(P poll) {}

  @Override
  public final HttpTransportType type() {
    return HttpTransportType.LongPolling;
  }

  @Override
  public final EventExecutor eventLoop() {
    return eventLoop;
  }

  /** A poll every few seconds is keep-alive enough: no Pings, no client timeout. */
  @Override
  public final boolean needsKeepAlive() {
    return false;
  }

  /** The next poll collects what is left when the connection ends, then gets 204. */
  @Override
  public final boolean holdsConnectionUntilCollected() {
    return true;
  }

  /** A poll arrived (any thread): held on the executor, answering the one it replaces with 204. */
  protected final void arrived(P poll) {
    eventLoop.execute(
        () -> {
          P previous = pending;
          if (previous != null) {
            pendingTimeout.cancel(false);
            pending = null;
            respond(previous, 204, null);
          }
          pendingTimeout =
              eventLoop.schedule(
                  () -> timedOut(poll), pollTimeout.toMillis(), TimeUnit.MILLISECONDS);
          pending = poll;
          connection.setPollActive(true);
          held(poll);
          connection.drain();
        });
  }

  /** Executor: the poll held, or null. */
  protected final P pending() {
    return pending;
  }

  /** Executor: the held poll's client went away before an answer; forget the poll. */
  protected final void pendingGone() {
    if (pending != null) {
      pendingTimeout.cancel(false);
      pending = null;
      connection.setPollActive(false);
    }
  }

  private void timedOut(P poll) {
    if (pending == poll) {
      pending = null;
      respond(poll, 200, List.of());
      connection.setPollActive(false);
    }
  }

  /** Executor, from the connection's drain: answers the held poll with everything queued. */
  @Override
  public final void drain() {
    P p = pending;
    if (p == null) {
      return;
    }
    List<byte[]> body = null;
    byte[] b;
    while ((b = outbound.poll()) != null) {
      if (body == null) {
        body = new ArrayList<>();
      }
      body.add(b);
    }
    if (body != null) {
      pending = null;
      pendingTimeout.cancel(false);
      respond(p, 200, body);
      connection.setPollActive(false);
    } else if (connection.endedAfterStart()) {
      pending = null;
      pendingTimeout.cancel(false);
      respond(p, 204, null);
      connection.dispose();
    }
  }

  @Override
  public final long pendingWriteBytes() {
    return 0;
  }

  @Override
  public final void end() {
    drain();
  }

  @Override
  public final void abort() {
    eventLoop.execute(
        () -> {
          P p = pending;
          if (p != null) {
            pending = null;
            pendingTimeout.cancel(false);
            respond(p, 204, null);
          }
        });
  }
}
