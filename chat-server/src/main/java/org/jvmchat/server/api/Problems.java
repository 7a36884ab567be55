package org.jvmchat.server.api;

import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.chat.ChatService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** RFC 9457 problem responses, and the wrappers that turn errors into them. */
public final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  /** A handler that needs the caller. */
  @FunctionalInterface
  public interface UserHandler {
    HttpResponse handle(HttpRequest request, HubUser user) throws Exception;
  }

  public static HttpResponse unauthorized() {
    return HttpResponse.problem(
            401,
            "Unauthorized",
            "A valid bearer token is required (Authorization: Bearer <token>).")
        .withHeader("WWW-Authenticate", "Bearer");
  }

  public static HttpResponse of(ChatException e) {
    return HttpResponse.problem(e.status(), e.title(), e.getMessage());
  }

  /** Answers 401 without a user, and maps chat errors to their problem responses. */
  public static HttpHandler authenticated(UserHandler handler) {
    return request -> {
      HubUser user = request.user();
      if (user == null) {
        return unauthorized();
      }
      return guarded(r -> handler.handle(r, user)).handle(request);
    };
  }

  /** Maps chat errors (and invalid arguments) to their problem responses. */
  public static HttpHandler guarded(HttpHandler handler) {
    return request -> {
      try {
        return handler.handle(request);
      } catch (ChatException e) {
        return of(e);
      } catch (RuntimeException e) {
        RuntimeException t = ChatService.translate(e);
        if (t instanceof ChatException ce) {
          return of(ce);
        }
        log.warn("{} {} failed", request.method(), request.path(), e);
        return HttpResponse.problem(500, "Internal Server Error", null);
      }
    };
  }
}
