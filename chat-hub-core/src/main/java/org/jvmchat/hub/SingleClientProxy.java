package org.jvmchat.hub;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.protocol.HubException;

/** One client, which can also be asked for a result (a client result). */
public interface SingleClientProxy extends ClientProxy {
  /**
   * Invokes {@code method} on the client and awaits its Completion, bound to {@code resultType};
   * fails with a {@link HubException} when the client answers with an error, disconnects, or does
   * not answer within the configured client-result timeout.
   */
  <T> CompletableFuture<T> invoke(Type resultType, String method, Object... args);

  default <T> CompletableFuture<T> invoke(Class<T> resultType, String method, Object... args) {
    return invoke((Type) resultType, method, args);
  }
}
