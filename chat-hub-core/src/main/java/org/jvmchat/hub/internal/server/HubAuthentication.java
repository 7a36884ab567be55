package org.jvmchat.hub.internal.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jvmchat.hub.ConnectionAdmission;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a hub request on the executor (an authenticator may block: it never runs on the
 * event loop), then continues on the channel's event loop: 401 with {@code WWW-Authenticate:
 * Bearer} for a refused credential or an anonymous request to a hub that requires a user, 500 when
 * the authenticator fails, 503 when the executor is full; else the request goes on to negotiate or
 * to the connection dispatcher.
 */
final class HubAuthentication {
  private static final Logger log = LoggerFactory.getLogger(HubAuthentication.class);

  private final HttpServerContext context;
  private final HttpResponses responses;

  HubAuthentication(HttpServerContext context) {
    this.context = context;
    this.responses = context.responses();
  }

  /**
   * Authenticates {@code req} and hands it to {@code next} on the event loop. {@code req} is
   * retained meanwhile and released after {@code next} returns. When {@code opens} (the request
   * would start a connection), the hub's {@link ConnectionAdmission} is asked first, on the
   * executor, and its refusal is the answer.
   */
  void authenticateThen(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      boolean opens,
      Consumer<HubRequest> next) {
    HttpRequest request = PlainRoutes.toPublicRequest(ctx, req, uri, Map.of(), false);
    if (!(req.method() == HttpMethod.GET && uri.path().equals(endpoint.path()))) {
      // Only the transports' GET requests (WebSocket, SSE, long polls) may carry the token in the
      // query, where a browser cannot set a header; negotiate and POST send it as a header.
      request = PlainRoutes.withoutQueryToken(request);
    }
    HttpRequest authenticated = request;
    FullHttpRequest retained = req.retain();
    try {
      context
          .executor()
          .execute(
              () -> {
                HubUser user;
                try {
                  user = context.authenticator().authenticate(authenticated);
                } catch (UnauthorizedException e) {
                  onEventLoop(ctx, retained, () -> unauthorized(ctx, retained, e.getMessage()));
                  return;
                } catch (RuntimeException e) {
                  log.warn("Authenticator failed", e);
                  onEventLoop(
                      ctx,
                      retained,
                      () ->
                          responses.sendText(
                              ctx,
                              retained,
                              HttpResponseStatus.INTERNAL_SERVER_ERROR,
                              "Authentication failed"));
                  return;
                }
                ConnectionAdmission admission = endpoint.mapping().admission();
                boolean admitted = false;
                if (opens
                    && admission != null
                    && (user != null || !endpoint.mapping().requireAuthenticatedUser())) {
                  HttpResponse refusal;
                  try {
                    refusal = admission.admit(endpoint.path(), authenticated.withUser(user));
                  } catch (RuntimeException e) {
                    log.warn("Connection admission failed", e);
                    refusal =
                        HttpResponse.text(
                            HttpResponseStatus.SERVICE_UNAVAILABLE.code(),
                            "Connection admission failed");
                  }
                  if (refusal != null) {
                    FullHttpResponse response = HttpResponses.fromRoute(refusal);
                    onEventLoop(ctx, retained, () -> responses.send(ctx, retained, response));
                    return;
                  }
                  admitted = true;
                }
                boolean holdsAdmission = admitted;
                onEventLoop(
                    ctx,
                    retained,
                    () -> {
                      try {
                        if (user == null && endpoint.mapping().requireAuthenticatedUser()) {
                          unauthorized(ctx, retained, "Authentication required");
                        } else if (holdsAdmission) {
                          // The connection this creates holds the admission (released if none).
                          endpoint.runAdmitted(
                              user,
                              () ->
                                  next.accept(new HubRequest(ctx, retained, uri, endpoint, user)));
                        } else {
                          next.accept(new HubRequest(ctx, retained, uri, endpoint, user));
                        }
                      } catch (RuntimeException e) {
                        log.warn("Hub request failed", e);
                        responses.sendText(
                            ctx,
                            retained,
                            HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "Internal error");
                      }
                    });
              });
    } catch (RejectedExecutionException e) {
      retained.release();
      responses.sendText(
          ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is too busy");
    }
  }

  /** Runs {@code task} on the channel's event loop, then releases {@code retained}. */
  private static void onEventLoop(
      ChannelHandlerContext ctx, FullHttpRequest retained, Runnable task) {
    ctx.channel()
        .eventLoop()
        .execute(
            () -> {
              try {
                task.run();
              } finally {
                retained.release();
              }
            });
  }

  private void unauthorized(ChannelHandlerContext ctx, FullHttpRequest req, String reason) {
    FullHttpResponse response = HttpResponses.text(HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    responses.send(ctx, req, response);
    // The path only: the query may hold an access_token (issue #27).
    log.debug("401 for {} {}: {}", req.method(), new QueryStringDecoder(req.uri()).path(), reason);
  }
}
