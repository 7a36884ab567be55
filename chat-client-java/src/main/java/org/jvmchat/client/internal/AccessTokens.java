package org.jvmchat.client.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import okhttp3.Headers;

/**
 * The request headers of one connection attempt: the application's headers plus {@code
 * Authorization: Bearer}. The token comes from the application's provider (refreshed before each
 * negotiate) until a negotiate redirect hands out a fixed one.
 */
final class AccessTokens {
  private final Supplier<String> provider;
  private final Map<String, String> extraHeaders;
  private volatile String token;
  private volatile boolean fixed;

  AccessTokens(Supplier<String> provider, Map<String, String> extraHeaders) {
    this.provider = provider;
    this.extraHeaders = extraHeaders;
  }

  /** Asks the provider for a fresh token on {@code executor} (no-op after a redirect). */
  CompletableFuture<Void> refresh(Executor executor) {
    if (fixed || provider == null) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.supplyAsync(provider, executor).thenAccept(t -> token = t);
  }

  /** A negotiate redirect's token: used from now on instead of the provider. */
  void fix(String redirectToken) {
    if (redirectToken != null) {
      token = redirectToken;
      fixed = true;
    }
  }

  Headers headers() {
    Headers.Builder b = new Headers.Builder();
    extraHeaders.forEach(b::set);
    String t = token;
    if (t != null && !t.isEmpty()) {
      b.set("Authorization", "Bearer " + t);
    }
    return b.build();
  }
}
