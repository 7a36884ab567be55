package org.jvmchat.hub.internal.host;

import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jvmchat.hub.internal.transport.Outbound;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.hub.internal.transport.TransportConnection;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Server-Sent Events over a {@link HostResponse.HostStream}: every outbound message is one event (a
 * {@code data: } line per line of the payload, then an empty line); a drain writes all queued
 * events with one write and one flush, and stops while the stream is not writable (the host calls
 * back when it is).
 */
final class HostServerSentEventsTransport implements Transport {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] OPEN = ":\r\n".getBytes(StandardCharsets.US_ASCII);

  private final EventExecutor eventLoop;
  private final HostResponse.HostStream stream;
  private final Outbound outbound;
  private volatile boolean ended;

  HostServerSentEventsTransport(
      EventExecutor eventLoop,
      HostResponse.HostStream stream,
      TransportConnection connection,
      Outbound outbound) {
    this.eventLoop = eventLoop;
    this.stream = stream;
    this.outbound = outbound;
    stream.onWritable(connection::writable);
    stream.onClosed(() -> connection.transportClosed(this, ended, null));
  }

  /** Executor: sends the headers and a comment, so that the client sees the stream open. */
  void open() {
    stream.write(OPEN);
  }

  @Override
  public HttpTransportType type() {
    return HttpTransportType.ServerSentEvents;
  }

  @Override
  public EventExecutor eventLoop() {
    return eventLoop;
  }

  /** SSE carries text only: a binary protocol is refused at the handshake. */
  @Override
  public boolean supportsBinary() {
    return false;
  }

  @Override
  public void drain() {
    if (ended || !stream.isWritable()) {
      return;
    }
    ByteArrayOutputStream batch = null;
    byte[] bytes;
    while ((bytes = outbound.poll()) != null) {
      if (batch == null) {
        batch = new ByteArrayOutputStream(bytes.length + 32);
      }
      appendEvent(batch, bytes);
    }
    if (batch != null) {
      stream.write(batch.toByteArray());
    }
  }

  /** One SSE event: a {@code data: } line per line of the payload, then an empty line. */
  static void appendEvent(ByteArrayOutputStream out, byte[] bytes) {
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i;
        if (end > start && bytes[end - 1] == '\r') {
          end--;
        }
        if (i < bytes.length || end > start) {
          out.writeBytes(DATA);
          out.write(bytes, start, end - start);
          out.writeBytes(CRLF);
        }
        start = i + 1;
      }
    }
    out.writeBytes(CRLF);
  }

  @Override
  public long pendingWriteBytes() {
    return stream.pendingBytes();
  }

  /** Writes out everything queued (the Close message, say), writable or not, then ends. */
  @Override
  public void end() {
    if (ended) {
      return;
    }
    ended = true;
    ByteArrayOutputStream batch = null;
    byte[] bytes;
    while ((bytes = outbound.poll()) != null) {
      if (batch == null) {
        batch = new ByteArrayOutputStream(bytes.length + 32);
      }
      appendEvent(batch, bytes);
    }
    if (batch != null) {
      stream.write(batch.toByteArray());
    }
    stream.end();
  }

  @Override
  public void abort() {
    ended = true;
    stream.abort();
  }
}
