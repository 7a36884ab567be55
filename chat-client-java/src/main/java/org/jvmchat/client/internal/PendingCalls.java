package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamItemMessage;

/**
 * The invocations and server-to-client streams of one session that wait for the server (the JS
 * client's {@code _callbacks}): registered when sent, answered by StreamItem and Completion
 * messages, failed together when the session ends. Also answers the parser's question of which type
 * a result or stream item binds to.
 *
 * <p>Thread-safe: the map is concurrent; once {@link #closeAll} ran, a call added later fails at
 * once, so none is left waiting whichever thread adds it.
 */
final class PendingCalls {
  private final ConcurrentHashMap<String, PendingCall> calls = new ConcurrentHashMap<>();
  private volatile Throwable closedWith;

  /** Registers a call under its invocation id; fails it at once if the session already ended. */
  void add(String id, PendingCall call) {
    calls.put(id, call);
    Throwable closed = closedWith;
    if (closed != null) {
      fail(id, closed);
    }
  }

  /** Removes and fails the call (its send failed, or it was cancelled); no-op if already gone. */
  void fail(String id, Throwable error) {
    PendingCall call = calls.remove(id);
    if (call != null) {
      call.fail(error);
    }
  }

  /** Forgets the call without answering it (a stream the subscriber cancelled). */
  void remove(String id) {
    calls.remove(id);
  }

  /** The type a result or stream item of {@code id} binds to; null when unknown or generic. */
  Type type(String id) {
    PendingCall call = calls.get(id);
    return call == null ? null : call.type();
  }

  /** A StreamItem from the server. */
  void item(StreamItemMessage m) {
    PendingCall call = calls.get(m.invocationId());
    if (call != null) {
      call.item(m.item());
    }
  }

  /**
   * A Completion from the server.
   *
   * @return false when no call of that id waits (it was cancelled or never existed)
   */
  boolean complete(CompletionMessage m) {
    PendingCall call = calls.remove(m.invocationId());
    if (call == null) {
      return false;
    }
    call.complete(m);
    return true;
  }

  /**
   * A stream item the client could not bind: the stream fails.
   *
   * @return whether a call was failed (the server should then be told to cancel it)
   */
  boolean streamBindingFailed(StreamBindingFailureMessage m) {
    PendingCall call = calls.remove(m.invocationId());
    if (call == null) {
      return false;
    }
    call.fail(new HubException("The stream item could not be bound: " + m.reason()));
    return true;
  }

  /** The session ended: fails every waiting call, and every call added from now on. */
  void closeAll(Throwable error) {
    closedWith = error;
    for (String id : new ArrayList<>(calls.keySet())) {
      fail(id, error);
    }
  }
}
