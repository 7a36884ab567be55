package org.jvmchat.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.server.api.RestJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origins the page's OpenID Connect sign-in fetches from, for the page's {@code connect-src}:
 * the authority's (its discovery document) and those of the {@code token_endpoint} and {@code
 * userinfo_endpoint} the discovery document names, which providers often serve from another host (a
 * CDN'd login domain, a regional token service). The authorization and end-session endpoints are
 * navigations of the whole page, which {@code connect-src} does not govern.
 *
 * <p>The document is fetched in the background at start and again when it is older than {@link
 * #MAX_AGE} (at most one fetch at a time, never on the request's path); until a fetch succeeded,
 * and while the provider does not answer, the last good origins (at first the authority's alone)
 * are used.
 */
public final class ProviderEndpoints {
  private static final Logger log = LoggerFactory.getLogger(ProviderEndpoints.class);
  static final Duration MAX_AGE = Duration.ofMinutes(5);
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

  private final String authority;
  private final String authorityOrigin;
  private final HttpClient http;
  private final AtomicBoolean fetching = new AtomicBoolean();
  private final Duration maxAge;
  private final Duration retryAfterFailure;
  private volatile String sources;
  private volatile long nextFetchAt = System.nanoTime();

  /**
   * @param authority the OpenID Connect issuer URL ({@code JWT_AUTHORITY})
   */
  public ProviderEndpoints(String authority) {
    this(authority, MAX_AGE, RETRY_AFTER_FAILURE);
  }

  ProviderEndpoints(String authority, Duration maxAge, Duration retryAfterFailure) {
    this.maxAge = maxAge;
    this.retryAfterFailure = retryAfterFailure;
    this.authority =
        authority.endsWith("/") ? authority.substring(0, authority.length() - 1) : authority;
    this.authorityOrigin = origin(authority);
    this.sources = authorityOrigin;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    refreshIfStale();
  }

  /** The {@code connect-src} sources, space-separated; starts a refresh when they are stale. */
  public String connectSources() {
    refreshIfStale();
    return sources;
  }

  private void refreshIfStale() {
    if (System.nanoTime() - nextFetchAt < 0 || !fetching.compareAndSet(false, true)) {
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(authority + "/.well-known/openid-configuration"))
            .timeout(Duration.ofSeconds(5))
            .header("Accept", "application/json")
            .GET()
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              try {
                String fetched = error == null ? parse(response) : null;
                if (fetched != null) {
                  sources = fetched;
                  nextFetchAt = System.nanoTime() + maxAge.toNanos();
                } else {
                  log.warn(
                      "The OpenID Connect discovery document of {} could not be read ({}); the"
                          + " page's Content-Security-Policy keeps {}",
                      authority,
                      error != null ? error.toString() : "HTTP " + response.statusCode(),
                      sources);
                  nextFetchAt = System.nanoTime() + retryAfterFailure.toNanos();
                }
              } finally {
                fetching.set(false);
              }
            });
  }

  private String parse(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      return null;
    }
    JsonNode doc;
    try {
      doc = RestJson.mapper().readTree(response.body());
    } catch (java.io.IOException e) {
      return null;
    }
    if (doc == null || !doc.isObject()) {
      return null;
    }
    Set<String> origins = new LinkedHashSet<>();
    origins.add(authorityOrigin);
    for (String field : new String[] {"token_endpoint", "userinfo_endpoint"}) {
      JsonNode v = doc.get(field);
      if (v != null && v.isTextual()) {
        String o = origin(v.asText());
        if (o != null) {
          origins.add(o);
        }
      }
    }
    return String.join(" ", origins);
  }

  /** {@code scheme://host[:port]} of an http(s) URL, or null for anything else. */
  static String origin(String url) {
    try {
      URI u = URI.create(url);
      String scheme = u.getScheme();
      if (u.getRawAuthority() == null
          || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))
          || u.getRawAuthority().contains("@")
          || !u.getRawAuthority().matches("[A-Za-z0-9.\\-:\\[\\]]+")) {
        return null;
      }
      return scheme.toLowerCase(java.util.Locale.ROOT) + "://" + u.getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
