package org.jvmchat.client.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.client.internal.transport.TransportContext;
import org.jvmchat.client.internal.transport.Transports;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.internal.Futures;
import org.jvmchat.protocol.negotiate.AvailableTransport;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.jvmchat.protocol.negotiate.NegotiateResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to establish a hub connection: negotiate (following redirects), try the server's
 * transports in its order (re-negotiating before each further one, as the JavaScript client does),
 * then the handshake. Cancellable: {@link #cancel()} aborts what is in flight.
 */
final class Connector {
  private static final Logger log = LoggerFactory.getLogger(Connector.class);
  static final int MAX_REDIRECTS = 100;

  private final ClientOptions options;
  private final ClientResources resources;
  private final HandlerRegistry handlers;
  private final AtomicLong ids;
  private final HubSession.Owner owner;
  private final AccessTokens tokens;
  private final TransportContext transportContext;
  private volatile boolean cancelled;
  private volatile Call negotiateCall;
  private volatile Transport transport;

  Connector(
      ClientOptions options,
      ClientResources resources,
      HandlerRegistry handlers,
      AtomicLong ids,
      HubSession.Owner owner) {
    this.options = options;
    this.resources = resources;
    this.handlers = handlers;
    this.ids = ids;
    this.owner = owner;
    this.tokens = new AccessTokens(options.accessTokenProvider(), options.headers());
    this.transportContext =
        new TransportContext(
            resources.http, tokens::headers, resources.timer, options.httpTimeout());
  }

  void cancel() {
    cancelled = true;
    Call call = negotiateCall;
    if (call != null) {
      call.cancel();
    }
    Transport t = transport;
    if (t != null) {
      t.stop();
    }
  }

  CompletableFuture<HubSession> connect() {
    if (options.skipNegotiation()) {
      return tokens
          .refresh(resources.timer)
          .thenCompose(
              v -> attempt(HttpTransportType.WebSockets, options.connectUrl(), null, null));
    }
    return negotiate(options.connectUrl(), 0)
        .thenCompose(
            n -> tryTransports(n.url, n.response, usable(n.response), 0, new ArrayList<>()));
  }

  private record Negotiated(HttpUrl url, NegotiateResponse response) {}

  private List<HttpTransportType> usable(NegotiateResponse response) {
    List<HttpTransportType> list = new ArrayList<>();
    for (AvailableTransport t : response.availableTransports()) {
      if (options.transports().contains(t.transport())
          && t.transferFormats().contains(options.protocol().transferFormat())) {
        list.add(t.transport());
      }
    }
    return list;
  }

  private CompletableFuture<HubSession> tryTransports(
      HttpUrl base,
      NegotiateResponse response,
      List<HttpTransportType> candidates,
      int index,
      List<String> errors) {
    if (candidates.isEmpty()) {
      return CompletableFuture.failedFuture(
          new HubConnectionException(
              "None of the transports supported by the client are supported by the server"
                  + " (client: "
                  + options.transports()
                  + ", protocol "
                  + options.protocol().name()
                  + ")."));
    }
    if (index >= candidates.size()) {
      return CompletableFuture.failedFuture(
          new HubConnectionException(
              "Unable to connect to the server with any of the available transports. "
                  + String.join(" ", errors)));
    }
    HttpTransportType type = candidates.get(index);
    CompletableFuture<NegotiateResponse> current =
        index == 0
            ? CompletableFuture.completedFuture(response)
            : negotiate(base, 0).thenApply(n -> n.response);
    return current
        .thenCompose(
            r ->
                attempt(
                    type, transportUrl(base, r.effectiveConnectionToken()), r.connectionId(), r))
        .handle(
            (session, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(session);
              }
              Throwable cause = Futures.unwrap(e);
              if (cancelled || cause instanceof HandshakeFailure) {
                return CompletableFuture.<HubSession>failedFuture(cause);
              }
              log.debug("Transport {} failed: {}", type, cause.getMessage());
              errors.add(type + " failed: " + cause.getMessage());
              return tryTransports(base, response, candidates, index + 1, errors);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<HubSession> attempt(
      HttpTransportType type, HttpUrl url, String connectionId, NegotiateResponse response) {
    if (cancelled) {
      return CompletableFuture.failedFuture(stoppedError());
    }
    boolean stateful =
        response != null && response.useStatefulReconnect() && type == HttpTransportType.WebSockets;
    HubSession session =
        new HubSession(
            options,
            resources,
            handlers,
            ids,
            tokens,
            transportContext,
            connectionId,
            url,
            stateful);
    Transport t = Transports.create(type, transportContext);
    transport = t;
    return session.connect(t, owner).thenApply(v -> session);
  }

  private static HttpUrl transportUrl(HttpUrl base, String token) {
    return base.newBuilder().addQueryParameter("id", token).build();
  }

  private CompletableFuture<Negotiated> negotiate(HttpUrl base, int redirects) {
    if (cancelled) {
      return CompletableFuture.failedFuture(stoppedError());
    }
    return tokens.refresh(resources.timer).thenCompose(v -> post(base, redirects));
  }

  private CompletableFuture<Negotiated> post(HttpUrl base, int redirects) {
    HttpUrl.Builder url = base.newBuilder().addPathSegment("negotiate");
    url.addQueryParameter("negotiateVersion", "1");
    if (options.statefulReconnect()) {
      url.addQueryParameter("useStatefulReconnect", "true");
    }
    Request request =
        new Request.Builder()
            .url(url.build())
            .headers(tokens.headers())
            .header("X-Requested-With", "XMLHttpRequest")
            .post(RequestBody.create(new byte[0]))
            .build();
    CompletableFuture<Negotiated> result = new CompletableFuture<>();
    Call call = resources.http.newCall(request);
    negotiateCall = call;
    call.enqueue(
        new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            result.completeExceptionally(
                cancelled
                    ? stoppedError()
                    : new HubConnectionException(
                        "Failed to complete negotiation with the server: " + e.getMessage(), e));
          }

          @Override
          public void onResponse(Call c, Response response) {
            try (response) {
              if (response.code() != 200) {
                result.completeExceptionally(
                    new HubConnectionException(
                        "Failed to complete negotiation with the server: status code "
                            + response.code()
                            + (response.code() == 404
                                ? ". Either this is not a SignalR endpoint or there is a proxy"
                                    + " blocking the connection."
                                : ".")));
                return;
              }
              result.complete(
                  new Negotiated(base, NegotiateResponse.parse(response.body().bytes())));
            } catch (IOException | HubProtocolException e) {
              result.completeExceptionally(
                  new HubConnectionException(
                      "Failed to complete negotiation with the server: " + e.getMessage(), e));
            }
          }
        });
    return result.thenCompose(n -> followRedirect(n, redirects));
  }

  private CompletableFuture<Negotiated> followRedirect(Negotiated n, int redirects) {
    NegotiateResponse r = n.response;
    if (r.error() != null) {
      return CompletableFuture.failedFuture(new HubConnectionException(r.error()));
    }
    if (r.url() != null) {
      if (redirects >= MAX_REDIRECTS) {
        return CompletableFuture.failedFuture(
            new HubConnectionException("Negotiate redirection limit exceeded."));
      }
      HttpUrl next = HttpUrl.parse(r.url());
      if (next == null) {
        return CompletableFuture.failedFuture(
            new HubConnectionException("Negotiate redirected to an invalid URL: " + r.url()));
      }
      tokens.fix(r.accessToken());
      return negotiate(next, redirects + 1);
    }
    if (r.useStatefulReconnect() && !options.statefulReconnect()) {
      return CompletableFuture.failedFuture(
          new HubConnectionException(
              "Client didn't negotiate Stateful Reconnect but the server did."));
    }
    return CompletableFuture.completedFuture(n);
  }

  private static HubConnectionException stoppedError() {
    return new HubConnectionException("The connection was stopped before it was established.");
  }
}
