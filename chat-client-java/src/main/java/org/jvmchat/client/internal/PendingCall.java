package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import org.jvmchat.protocol.CompletionMessage;

/** An invocation or stream of this client waiting for the server's answer. */
interface PendingCall {
  /** The type to bind the result (invocation) or items (stream) to; null binds generically. */
  Type type();

  void item(Object item);

  void complete(CompletionMessage completion);

  void fail(Throwable error);
}
