package org.jvmchat.client.internal;

import java.util.concurrent.CompletableFuture;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a session writes, and the socket it writes to. Serializes hub messages; with stateful
 * reconnect, trackable messages (types 1–5) go through the {@link StatefulBuffer} (numbered, kept
 * until acknowledged, possibly waiting for Acks) and the rest (ping, ack, sequence, close) is not
 * numbered. While the socket is being {@linkplain #detach replaced}, nothing is written: trackable
 * messages are buffered for the replay, untracked ones are dropped, as in SignalR's clients. {@link
 * #replace} installs the new socket and writes Sequence, then the replay.
 *
 * <p>The inbound half of stateful reconnect (duplicate drop, Sequence, what to acknowledge) is the
 * session's use of the same {@link StatefulBuffer}.
 *
 * <p>Thread-safe: the current transport and the "replacing" flag are guarded by this object's
 * monitor, which is also held from numbering a trackable message to handing it to the transport, so
 * ids go out in order. Lock order: this, then the {@link StatefulBuffer}'s.
 */
final class Outbound {
  private static final Logger log = LoggerFactory.getLogger(Outbound.class);

  private final HubProtocol protocol;
  private final StatefulBuffer buffer; // null unless stateful reconnect is on
  private final Runnable onWrite;
  private Transport transport; // guarded by this
  private boolean replacing; // guarded by this

  /**
   * @param buffer the stateful-reconnect buffer, or null
   * @param onWrite called for every write (the keep-alive timer's "last sent")
   */
  Outbound(HubProtocol protocol, StatefulBuffer buffer, Runnable onWrite) {
    this.protocol = protocol;
    this.buffer = buffer;
    this.onWrite = onWrite;
  }

  synchronized void attach(Transport t) {
    this.transport = t;
  }

  synchronized Transport transport() {
    return transport;
  }

  /** True while a dropped socket is being replaced (stateful reconnect). */
  synchronized boolean isReplacing() {
    return replacing;
  }

  /**
   * Serializes and sends a hub message (numbered and buffered when stateful and trackable). The
   * future completes once the message was handed to the transport, or, when stateful, once it is
   * safe in the buffer (a failed write is then repaired by the replay).
   */
  CompletableFuture<Void> send(HubMessage message) {
    byte[] bytes;
    try {
      bytes = protocol.toBytes(message);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("The message could not be serialized: " + e, e));
    }
    if (buffer == null) {
      // No replay, so the transport never changes after attach: no need to hold the monitor.
      onWrite.run();
      return transport().send(bytes);
    }
    if (!(message instanceof HubInvocationMessage)) {
      synchronized (this) {
        return replacing ? CompletableFuture.completedFuture(null) : write(bytes);
      }
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      StatefulBuffer.Admitted admitted = buffer.admit(bytes, done);
      if (admitted != null) {
        writeBuffered(admitted);
      }
    }
    return done;
  }

  /** A message outside the numbering (ping, ack, close); skipped while replacing the socket. */
  synchronized CompletableFuture<Void> sendUntracked(HubMessage message) {
    if (replacing) {
      return CompletableFuture.completedFuture(null);
    }
    return write(protocol.toBytes(message));
  }

  /** The server's Ack: frees buffered messages and writes the sends that now fit. */
  void ack(long sequenceId) {
    synchronized (this) {
      for (StatefulBuffer.Admitted a : buffer.ack(sequenceId)) {
        writeBuffered(a);
      }
    }
  }

  /** The socket dropped without a close: stop writing until {@link #replace}. */
  synchronized void detach() {
    replacing = true;
  }

  /**
   * Stateful reconnect succeeded: writes Sequence and every unacknowledged message on {@code t}.
   */
  synchronized void replace(Transport t) {
    transport = t;
    write(protocol.toBytes(new SequenceMessage(buffer.sequenceId())));
    for (MessageBuffer.Entry<byte[]> entry : buffer.unacknowledged()) {
      write(entry.message());
    }
    replacing = false;
  }

  /** The session ended: fails the sends still waiting for Acks. */
  void failWaiting(Throwable error) {
    if (buffer != null) {
      for (CompletableFuture<Void> done : buffer.drainWaiting()) {
        done.completeExceptionally(error);
      }
    }
  }

  /**
   * Under this monitor. A buffered message is safe once admitted: if the socket is down (or breaks
   * before the client notices, so the write fails) it is replayed on the new socket; if the session
   * ends instead, what waited for its answer fails then.
   */
  private void writeBuffered(StatefulBuffer.Admitted admitted) {
    if (!replacing) {
      write(admitted.bytes())
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.debug("Write failed; message {} stays buffered for replay", admitted.id());
                }
              });
    }
    admitted.done().complete(null);
  }

  /** Under this monitor. */
  private CompletableFuture<Void> write(byte[] bytes) {
    onWrite.run();
    return transport.send(bytes);
  }
}
