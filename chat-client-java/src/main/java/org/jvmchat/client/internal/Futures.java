package org.jvmchat.client.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for the futures the client's pieces pass around. */
final class Futures {
  private Futures() {}

  /** The cause inside {@link CompletionException}/{@link ExecutionException} wrappers. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
