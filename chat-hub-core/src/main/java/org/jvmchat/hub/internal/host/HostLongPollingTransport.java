package org.jvmchat.hub.internal.host;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jvmchat.hub.internal.transport.Outbound;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.internal.transport.TransportConnection;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Long polling over {@link HostResponse}s (the connection's executor is this transport's; polls
 * arrive on the host's threads and hop onto it): each poll is held until there is data (200 with
 * all of it), the poll timeout passes (200, empty), a newer poll replaces it (204), or the
 * connection has ended and nothing is left (204, after which the connection is forgotten).
 */
final class HostLongPollingTransport implements Transport {
  private static final String[] NO_CACHE = {
    "Cache-Control",
    "no-cache, no-store",
    "Pragma",
    "no-cache",
    "Expires",
    "Thu, 01 Jan 1970 00:00:00 GMT"
  };

  private final TransportConnection connection;
  private final Outbound outbound;
  private final EventExecutor eventLoop;
  private final Duration pollTimeout;
  private Poll pending; // executor

  private record Poll(HostResponse response, ScheduledFuture<?> timeout) {}

  HostLongPollingTransport(
      TransportConnection connection,
      Outbound outbound,
      EventExecutor eventLoop,
      Duration timeout) {
    this.connection = connection;
    this.outbound = outbound;
    this.eventLoop = eventLoop;
    this.pollTimeout = timeout;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.LongPolling;
  }

  @Override
  public EventExecutor eventLoop() {
    return eventLoop;
  }

  /** A poll every few seconds is keep-alive enough: no Pings, no client timeout. */
  @Override
  public boolean needsKeepAlive() {
    return false;
  }

  @Override
  public boolean holdsConnectionUntilCollected() {
    return true;
  }

  /** A poll arrived (any thread). */
  void poll(HostResponse response) {
    eventLoop.execute(
        () -> {
          Poll previous = pending;
          if (previous != null) {
            previous.timeout().cancel(false);
            pending = null;
            previous.response().send(204, null, new byte[0], NO_CACHE);
          }
          ScheduledFuture<?> timeout =
              eventLoop.schedule(
                  () -> timedOut(response), pollTimeout.toMillis(), TimeUnit.MILLISECONDS);
          pending = new Poll(response, timeout);
          connection.setPollActive(true);
          connection.drain();
        });
  }

  private void timedOut(HostResponse response) {
    Poll p = pending;
    if (p != null && p.response() == response) {
      pending = null;
      response.send(200, "application/octet-stream", new byte[0], NO_CACHE);
      connection.setPollActive(false);
    }
  }

  /** Executor, from the connection's drain: answers the pending poll with everything queued. */
  @Override
  public void drain() {
    Poll p = pending;
    if (p == null) {
      return;
    }
    ByteArrayOutputStream body = null;
    byte[] b;
    while ((b = outbound.poll()) != null) {
      if (body == null) {
        body = new ByteArrayOutputStream(b.length + 64);
      }
      body.writeBytes(b);
    }
    if (body != null) {
      pending = null;
      p.timeout().cancel(false);
      p.response().send(200, "application/octet-stream", body.toByteArray(), NO_CACHE);
      connection.setPollActive(false);
    } else if (connection.endedAfterStart()) {
      pending = null;
      p.timeout().cancel(false);
      p.response().send(204, null, new byte[0], NO_CACHE);
      connection.dispose();
    }
  }

  @Override
  public long pendingWriteBytes() {
    return 0;
  }

  @Override
  public void end() {
    drain();
  }

  @Override
  public void abort() {
    eventLoop.execute(
        () -> {
          Poll p = pending;
          if (p != null) {
            pending = null;
            p.timeout().cancel(false);
            p.response().send(204, null, new byte[0], NO_CACHE);
          }
        });
  }
}
