package org.jvmchat.hub.internal.host;

import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.jvmchat.hub.internal.transport.Outbound;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.internal.transport.TransportConnection;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * WebSockets over a {@link HostWebSocket}: a drain sends everything queued as one message (text for
 * JSON, binary for MessagePack; several hub messages in one WebSocket message are what the clients
 * parse: JSON ends each with 0x1e, MessagePack prefixes its length). One send is in flight at a
 * time; what is queued meanwhile waits in the connection's bounded outbound queue and goes in the
 * next message, so a slow client costs the bound, never more.
 */
final class HostWebSocketTransport implements Transport, HostWebSocket.Listener {
  private final EventExecutor eventLoop;
  private final HostWebSocket socket;
  private final TransportConnection connection;
  private final Outbound outbound;
  private final Object lock = new Object();
  private boolean sending; // guarded by lock
  private boolean ended; // guarded by lock
  private Runnable afterSend; // guarded by lock: what the completion of the send in flight runs
  private volatile long inFlight; // bytes of the send in flight

  HostWebSocketTransport(
      EventExecutor eventLoop,
      HostWebSocket socket,
      TransportConnection connection,
      Outbound outbound) {
    this.eventLoop = eventLoop;
    this.socket = socket;
    this.connection = connection;
    this.outbound = outbound;
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.WebSockets;
  }

  @Override
  public EventExecutor eventLoop() {
    return eventLoop;
  }

  @Override
  public boolean supportsStatefulReconnect() {
    return true;
  }

  @Override
  public boolean pausesAtTheSocket() {
    return true;
  }

  @Override
  public void pauseReading() {
    socket.pauseReading();
  }

  @Override
  public void resumeReading() {
    socket.resumeReading();
  }

  /** Executor: everything queued, as one array; null when nothing is. */
  private byte[] collect() {
    byte[] first = outbound.poll();
    if (first == null) {
      return null;
    }
    byte[] next = outbound.poll();
    if (next == null) {
      return first;
    }
    ByteArrayOutputStream batch = new ByteArrayOutputStream(first.length + next.length + 256);
    batch.writeBytes(first);
    do {
      batch.writeBytes(next);
    } while ((next = outbound.poll()) != null);
    return batch.toByteArray();
  }

  @Override
  public void drain() {
    synchronized (lock) {
      if (sending || ended) {
        return; // the send's completion asks for the next drain
      }
    }
    byte[] bytes = collect();
    if (bytes != null) {
      send(bytes, null);
    }
  }

  private void send(byte[] bytes, Runnable then) {
    synchronized (lock) {
      sending = true;
      afterSend = then;
    }
    inFlight = Math.max(1, bytes.length);
    socket.send(bytes, outbound.binary(), this::sent);
  }

  /** Any thread: the send in flight completed. */
  private void sent(Throwable error) {
    Runnable then;
    synchronized (lock) {
      sending = false;
      then = afterSend;
      afterSend = null;
    }
    inFlight = 0;
    if (then != null) {
      then.run();
    } else if (error == null) {
      connection.writable();
    }
  }

  @Override
  public long pendingWriteBytes() {
    return inFlight;
  }

  /** Executor: sends what is left (the Close message, say), then closes the socket. */
  @Override
  public void end() {
    byte[] rest = collect();
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
      if (sending) {
        afterSend = () -> finish(rest); // after the send in flight
        return;
      }
    }
    finish(rest);
  }

  private void finish(byte[] rest) {
    if (rest != null) {
      send(rest, () -> socket.close(1000, ""));
    } else {
      socket.close(1000, "");
    }
  }

  @Override
  public void abort() {
    synchronized (lock) {
      ended = true;
      afterSend = null;
    }
    socket.close(1000, "");
  }

  // ---------------------------------------------------------------- HostWebSocket.Listener

  @Override
  public void onMessage(ByteBuffer bytes, Runnable taken) {
    if (!connection.receive(bytes, taken)) {
      taken.run(); // closed: nothing will take them
    }
  }

  @Override
  public void onClose(boolean graceful, Throwable error) {
    boolean ours;
    synchronized (lock) {
      ours = ended;
    }
    connection.transportClosed(this, graceful || ours, graceful || ours ? null : error);
  }
}
