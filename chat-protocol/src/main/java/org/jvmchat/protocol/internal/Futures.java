package org.jvmchat.protocol.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for the futures the server's and the client's pieces pass around. */
public final class Futures {
  private Futures() {}

  /** The cause inside {@link CompletionException}/{@link ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
