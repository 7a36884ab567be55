package org.jvmchat.hub;

import java.util.concurrent.CompletableFuture;

/** One or more clients to send an invocation to. */
public interface ClientProxy {
  /**
   * Invokes {@code method} on the clients without awaiting an answer. The future completes when the
   * message is handed to every local connection's outbound buffer (or to the backplane).
   */
  CompletableFuture<Void> send(String method, Object... args);
}
