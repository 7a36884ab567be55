package org.jvmchat.hub.internal.hub;

import io.netty.util.concurrent.EventExecutor;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.transport.LoopFlush;
import org.jvmchat.hub.internal.transport.SharedFrames;
import org.jvmchat.hub.internal.transport.Transport;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.internal.MessageBuffer;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * What the hub side of a connection ({@link HubConnectionHandler}, {@link
 * DefaultHubConnectionContext}, {@link ReadGate}) sees of the transport-level connection ({@link
 * ServerConnection}, ASP.NET Core's {@code HttpConnectionContext}): who it is, which transport
 * carries it, its executor, the outbound queue to write to, and the steps of its end. The hub side
 * depends on this view only, never on the class; the connection hands bytes on through {@link
 * ConnectionApplication}.
 */
interface ConnectionView {
  String connectionId();

  HubUser user();

  /** The transport type attached, or null. */
  HttpTransportType transportType();

  /** Executor: the current transport, or null. */
  Transport transport();

  /** The event loop that owns the connection's state; null until a transport attached. */
  EventExecutor executor();

  /** Runs {@code task} on the executor (at once when called there or before any transport). */
  void onExecutor(Runnable task);

  boolean isStatefulNegotiated();

  /**
   * Whether the connection was created here for a token another instance negotiated (a WebSocket
   * without session affinity), so its client may be one resuming a connection held elsewhere.
   */
  boolean isAdopted();

  /** Whether the connection is closing or closed: it takes no further bytes nor writes. */
  boolean isEnded();

  boolean isClosing();

  /** {@link System#nanoTime()} when the current transport attached. */
  long transportAttachedAt();

  /** {@link System#nanoTime()} when the connection was created (negotiated). */
  long createdAtNanos();

  /** Why the connection ended (null for a normal close), once it has. */
  Throwable terminateCause();

  /** Marks the admission connected; false when the connection already ended. */
  boolean connectAdmission();

  /**
   * Any thread: queues {@code bytes} (a whole hub message in the connection's protocol) on the
   * outbound queue; {@code trackable} for the replay buffer of a stateful connection, {@code force}
   * while closing (the Close message), the event loop woken by {@code batch} when not null.
   *
   * @return false when the connection has ended or the message did not fit
   */
  boolean enqueue(byte[] bytes, boolean trackable, boolean force, WriteScheduler.Batch batch);

  /**
   * Executor, in a broadcast's delivery on this loop: {@link #enqueue} of a hub message that does
   * not follow pending broadcasts (it is one of them).
   */
  boolean enqueueInOrder(byte[] bytes, WriteScheduler.Batch batch);

  /**
   * Runs {@code task} on the executor behind the broadcasts (and the writes following them) already
   * handed to its loop; as {@link #onExecutor} when there are none.
   */
  void afterPendingBroadcasts(Runnable task);

  /** The write scheduler of the connection's executor; null until a transport attached. */
  WriteScheduler writeScheduler();

  /**
   * Executor, a broadcast's fast path: writes a retained duplicate of the shared frame of {@code
   * protocol} when nothing is queued, no replay buffer is kept and the transport takes it ({@link
   * Transport#writeShared}); false when the message must go through {@link #enqueue}.
   */
  boolean writeShared(SharedFrames frames, HubProtocol protocol, LoopFlush flush);

  /**
   * Executor, at the handshake: the outbound framing ({@code binary}), and for a stateful
   * connection its replay buffer (null otherwise).
   */
  void startProtocol(boolean binary, MessageBuffer<byte[]> replay);

  /**
   * Executor, at the handshake, before its answer is queued: nothing queued from now on reaches the
   * transport until {@link #releaseOutput} (or the end of the transport, {@link #endTransport}).
   */
  void holdOutput();

  /** Any thread, once onConnected completed: what was held since the handshake goes out. */
  void releaseOutput();

  /** Executor: the client acknowledged; messages held back for a full replay buffer may go. */
  void acknowledged(long sequenceId);

  /** Executor: starts closing; false when it already was closing or closed. */
  boolean beginClose();

  /** Executor: closing from now on, whatever it was. */
  void markClosing();

  /**
   * Executor: writes out what is queued (the Close message, say; held output too), then ends the
   * transport.
   */
  void endTransport();

  /** Executor: the final step, once (unregistered, then the hub side told). */
  void terminate(Throwable cause);
}
