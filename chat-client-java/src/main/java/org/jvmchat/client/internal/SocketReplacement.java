package org.jvmchat.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import okhttp3.HttpUrl;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.client.internal.transport.TransportContext;
import org.jvmchat.client.internal.transport.TransportListener;
import org.jvmchat.client.internal.transport.Transports;
import org.jvmchat.protocol.TransferFormat;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * Stateful reconnect's new socket: one WebSocket to the same connection token, with a fresh access
 * token, no negotiate and no handshake (the .NET and JS clients' "reconnect the transport, keep the
 * connection"). What is sent on it first (Sequence, then the replay) is {@link Outbound#replace}'s
 * job; when to try is the session's.
 *
 * <p>Immutable; {@link #open} may be called from any thread.
 */
final class SocketReplacement {
  private final AccessTokens tokens;
  private final Executor tokenExecutor;
  private final TransportContext context;
  private final HttpUrl url;
  private final TransferFormat format;

  SocketReplacement(
      AccessTokens tokens,
      Executor tokenExecutor,
      TransportContext context,
      HttpUrl url,
      TransferFormat format) {
    this.tokens = tokens;
    this.tokenExecutor = tokenExecutor;
    this.context = context;
    this.url = url;
    this.format = format;
  }

  /** Refreshes the access token and starts a new WebSocket reporting to {@code listener}. */
  CompletableFuture<Transport> open(TransportListener listener) {
    return tokens
        .refresh(tokenExecutor)
        .thenCompose(
            v -> {
              Transport next = Transports.create(HttpTransportType.WebSockets, context);
              return next.start(url, format, listener).thenApply(started -> next);
            });
  }
}
