package org.jvmchat.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpResponse;

/**
 * The chat page and its scripts, served from the classpath folder {@code static/}: {@code /}
 * (index.html), {@code /app.js}, {@code /oidc.js} (provider sign-in), {@code /app.css} and {@code
 * /js/<file>} (the official {@code @microsoft/signalr} browser bundles, copied there at build
 * time). Files that exist are read once and kept in memory; a miss is never remembered, so
 * requesting any number of made-up names costs nothing but the classpath look-up.
 */
public final class StaticFiles {
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'%s ws: wss:; frame-ancestors 'none'; base-uri 'none'";

  private final ClassLoader loader;
  private final java.util.function.Supplier<String> providerSources;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  public StaticFiles() {
    this((String) null);
  }

  /**
   * @param providerOrigin the OpenID Connect provider's origin the page fetches discovery and
   *     tokens from (added to the policy's {@code connect-src}), or null
   */
  public StaticFiles(String providerOrigin) {
    this(StaticFiles.class.getClassLoader(), providerOrigin);
  }

  /**
   * @param provider the OpenID Connect provider's endpoints the page fetches (its origins are added
   *     to the policy's {@code connect-src}, as they are when the discovery document is read), or
   *     null
   */
  public StaticFiles(ProviderEndpoints provider) {
    this(
        StaticFiles.class.getClassLoader(),
        provider == null ? () -> null : provider::connectSources);
  }

  StaticFiles(ClassLoader loader) {
    this(loader, (String) null);
  }

  StaticFiles(ClassLoader loader, String providerOrigin) {
    this(loader, () -> providerOrigin);
  }

  StaticFiles(ClassLoader loader, java.util.function.Supplier<String> providerSources) {
    this.loader = loader;
    this.providerSources = providerSources;
  }

  private String csp() {
    String sources = providerSources.get();
    return String.format(CSP, sources == null ? "" : " " + sources);
  }

  public void register(HubServer.Builder server) {
    server.route("GET", "/", r -> serve("index.html"));
    server.route("GET", "/index.html", r -> serve("index.html"));
    server.route("GET", "/app.js", r -> serve("app.js"));
    server.route("GET", "/oidc.js", r -> serve("oidc.js"));
    server.route("GET", "/app.css", r -> serve("app.css"));
    server.route(
        "GET",
        "/js/{file}",
        r -> {
          String name = r.pathParameter("file");
          if (name == null || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            return notFound();
          }
          return serve("js/" + name);
        });
  }

  /** Whether a file is on the classpath (the start-up check for the SignalR bundle). */
  public boolean exists(String path) {
    return read(path).isPresent();
  }

  HttpResponse serve(String path) {
    Optional<byte[]> bytes = read(path);
    if (bytes.isEmpty()) {
      return notFound();
    }
    return HttpResponse.of(200, contentType(path), bytes.get())
        .withHeader("cache-control", "no-cache")
        .withHeader("x-content-type-options", "nosniff")
        .withHeader("content-security-policy", csp())
        .withHeader("referrer-policy", "no-referrer");
  }

  private Optional<byte[]> read(String path) {
    byte[] cached = cache.get(path);
    if (cached != null) {
      return Optional.of(cached);
    }
    byte[] bytes;
    try (InputStream in = loader.getResourceAsStream("static/" + path)) {
      if (in == null) {
        return Optional.empty();
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      return Optional.empty();
    }
    byte[] previous = cache.putIfAbsent(path, bytes);
    return Optional.of(previous != null ? previous : bytes);
  }

  /** How many files are kept in memory (tests). */
  int cachedFiles() {
    return cache.size();
  }

  private static HttpResponse notFound() {
    return HttpResponse.problem(404, "Not Found", "No such file.");
  }

  static String contentType(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    } else if (path.endsWith(".js") || path.endsWith(".mjs")) {
      return "text/javascript; charset=utf-8";
    } else if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    } else if (path.endsWith(".map") || path.endsWith(".json")) {
      return "application/json";
    }
    return "application/octet-stream";
  }
}
