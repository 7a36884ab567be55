package org.jvmchat.client.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.internal.HandshakeReader;

/**
 * The client's side of the handshake of one session: sends the request, reads the response with the
 * shared {@link HandshakeReader} (which may arrive split or followed by hub messages), and fails
 * with {@link HandshakeFailure} on an error response, a malformed response, a closed transport or
 * the handshake timeout. The outcome is {@link #result()}, completed exactly once.
 *
 * <p>Threading: {@link #feed} is called by the session's inbound side only (under its read lock,
 * from the transport's reading thread); {@link #isDone()} may be read from any thread; the other
 * methods complete the future, which is thread-safe.
 */
final class ClientHandshake {
  private final HandshakeReader<HandshakeResponse> reader;
  private final CompletableFuture<Void> result = new CompletableFuture<>();
  private volatile boolean done; // a success response was read

  ClientHandshake(int maxReceiveMessageSize) {
    this.reader = HandshakeReader.forResponse(maxReceiveMessageSize);
  }

  /**
   * Sends the request over {@code t} and arms the timeout; returns {@link #result()}.
   *
   * @param version 2 to ask for stateful reconnect, else 1
   */
  CompletableFuture<Void> start(
      Transport t, String protocol, int version, Duration timeout, SessionTimers timers) {
    timers.once(
        () ->
            fail("The server did not complete the handshake within " + timeout.toMillis() + " ms."),
        timeout.toMillis());
    byte[] request = HandshakeProtocol.writeRequest(new HandshakeRequest(protocol, version));
    t.send(request)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                fail("Sending the handshake failed: " + e.getMessage());
              }
            });
    return result;
  }

  /**
   * Bytes from the server before the handshake completed.
   *
   * @return the bytes after a successful response (hub messages), or {@code null} while the
   *     response is incomplete or when it failed the handshake
   */
  ByteBuffer feed(ByteBuffer data) {
    if (reader.isDone()) {
      return null; // the response was an error or malformed: the transport is being stopped
    }
    HandshakeReader.Result<HandshakeResponse> read;
    try {
      read = reader.feed(data);
    } catch (HubProtocolException e) {
      fail("Invalid handshake response: " + e.getMessage());
      return null;
    }
    if (read == null) {
      return null;
    }
    if (!read.message().isSuccess()) {
      fail("Server returned handshake error: " + read.message().error());
      return null;
    }
    done = true;
    result.complete(null);
    return read.remaining();
  }

  /** The transport closed before the handshake completed. */
  void transportClosed(Throwable error) {
    fail(
        "The connection closed during the handshake"
            + (error == null ? "." : ": " + error.getMessage()));
  }

  /** Whether a success response was read. */
  boolean isDone() {
    return done;
  }

  CompletableFuture<Void> result() {
    return result;
  }

  private void fail(String message) {
    result.completeExceptionally(new HandshakeFailure(message));
  }
}
