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
import org.jvmchat.hub.http.NonBlockingAuthenticator;
import org.jvmchat.hub.http.UnauthorizedException;
import org.jvmchat.hub.http.WouldBlockException;
import org.jvmchat.hub.internal.hub.HubEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a hub request, then continues on the channel's event loop: 401 with {@code
 * WWW-Authenticate: Bearer} for a refused credential or an anonymous request to a hub that requires
 * a user, 500 when the authenticator fails, 503 when the executor is full; else the request goes on
 * to negotiate or to the connection dispatcher.
 *
 * <p>Where: a {@link NonBlockingAuthenticator} is tried on the event loop first; when it answers
 * (no {@link WouldBlockException}) and no {@link ConnectionAdmission} has to be asked, the request
 * goes on at once, with no thread hop. Otherwise the authenticator (which may block) and the
 * admission run on the executor, then the request goes on on the event loop.
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
   * Authenticates {@code req} and hands it to {@code next} on the event loop. {@code req} belongs
   * to the caller until this returns; when the work goes to the executor it is retained meanwhile
   * and released after {@code next} returns. When {@code opens} (the request would start a
   * connection), the hub's {@link ConnectionAdmission} is asked first, on the executor, and its
   * refusal is the answer.
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
    if (context.authenticator() instanceof NonBlockingAuthenticator nonBlocking) {
      HubUser user;
      try {
        user = nonBlocking.tryAuthenticate(request);
      } catch (WouldBlockException e) {
        user = null;
        nonBlocking = null; // answered on the executor below
      } catch (UnauthorizedException e) {
        unauthorized(ctx, req, e.getMessage());
        return;
      } catch (RuntimeException e) {
        log.warn("Authenticator failed", e);
        responses.sendText(
            ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Authentication failed");
        return;
      }
      if (nonBlocking != null) {
        if (!needsAdmission(endpoint, opens, user)) {
          proceed(ctx, req, uri, endpoint, user, false, next);
          return;
        }
        HubUser known = user;
        HttpRequest authenticated = request;
        onExecutor(
            ctx,
            req,
            retained -> admitThen(ctx, retained, uri, endpoint, authenticated, known, next));
        return;
      }
    }
    HttpRequest authenticated = request;
    onExecutor(
        ctx,
        req,
        retained -> {
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
          if (needsAdmission(endpoint, opens, user)) {
            admitThen(ctx, retained, uri, endpoint, authenticated, user, next);
          } else {
            onEventLoop(
                ctx, retained, () -> proceed(ctx, retained, uri, endpoint, user, false, next));
          }
        });
  }

  /**
   * Whether the hub's admission must be asked: a request that opens a connection for a user it lets
   * in.
   */
  private static boolean needsAdmission(HubEndpoint endpoint, boolean opens, HubUser user) {
    return opens
        && endpoint.mapping().admission() != null
        && (user != null || !endpoint.mapping().requireAuthenticatedUser());
  }

  /**
   * Runs {@code task} on the executor with {@code req} retained (the task must hand it to {@link
   * #onEventLoop}, which releases it); 503 when the executor is full.
   */
  private void onExecutor(
      ChannelHandlerContext ctx, FullHttpRequest req, Consumer<FullHttpRequest> task) {
    FullHttpRequest retained = req.retain();
    try {
      context.executor().execute(() -> task.accept(retained));
    } catch (RejectedExecutionException e) {
      retained.release();
      responses.sendText(
          ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "The server is too busy");
    }
  }

  /** On the executor: asks the hub's admission, then goes on on the event loop. */
  private void admitThen(
      ChannelHandlerContext ctx,
      FullHttpRequest retained,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      HttpRequest authenticated,
      HubUser user,
      Consumer<HubRequest> next) {
    HttpResponse refusal;
    try {
      refusal = endpoint.mapping().admission().admit(endpoint.path(), authenticated.withUser(user));
    } catch (RuntimeException e) {
      log.warn("Connection admission failed", e);
      refusal =
          HttpResponse.text(
              HttpResponseStatus.SERVICE_UNAVAILABLE.code(), "Connection admission failed");
    }
    if (refusal != null) {
      FullHttpResponse response = HttpResponses.fromRoute(refusal);
      onEventLoop(ctx, retained, () -> responses.send(ctx, retained, response));
      return;
    }
    onEventLoop(ctx, retained, () -> proceed(ctx, retained, uri, endpoint, user, true, next));
  }

  /** On the event loop: 401 for an anonymous request the hub refuses, else {@code next}. */
  private void proceed(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder uri,
      HubEndpoint endpoint,
      HubUser user,
      boolean holdsAdmission,
      Consumer<HubRequest> next) {
    try {
      if (user == null && endpoint.mapping().requireAuthenticatedUser()) {
        unauthorized(ctx, req, "Authentication required");
      } else if (holdsAdmission) {
        // The connection this creates holds the admission (released if none).
        endpoint.runAdmitted(
            user, () -> next.accept(new HubRequest(ctx, req, uri, endpoint, user)));
      } else {
        next.accept(new HubRequest(ctx, req, uri, endpoint, user));
      }
    } catch (RuntimeException e) {
      log.warn("Hub request failed", e);
      responses.sendText(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Internal error");
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
