package org.jvmchat.client;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import org.jvmchat.protocol.HubException;

/**
 * A connection to one SignalR hub. Build it with {@link HubConnectionBuilder}; it is thread-safe.
 *
 * <h2>Threads</h2>
 *
 * The client never runs application code on a socket-reading thread, so a slow handler never stops
 * messages from being read. Everything application-visible runs on the connection's <em>callback
 * executor</em> (the one given to {@link HubConnectionBuilder#executor}, or a small pool the
 * connection creates at {@code start()} and shuts down when it reaches {@link
 * HubConnectionState#Disconnected}), through two serial lanes:
 *
 * <ul>
 *   <li>the <b>handler lane</b>: {@link #on} / {@link #onWithResult} handlers and the {@link
 *       #onClose}, {@link #onReconnecting}, {@link #onReconnected} listeners, one at a time, in the
 *       order the messages arrived;
 *   <li>the <b>result lane</b>: completion of the futures returned by {@link #invoke} and {@link
 *       #send}, and {@code onNext}/{@code onError}/{@code onComplete} of {@link #stream}
 *       subscribers, one at a time, in arrival order.
 * </ul>
 *
 * Because the lanes are separate, a handler may wait for the result of an {@code invoke} without
 * deadlocking. Do not block a handler or listener on {@link #stop()}: the stop completes only after
 * the {@code onClose} listeners ran on the handler lane.
 *
 * <h2>Resources</h2>
 *
 * {@link #stop()} and {@link #close()} release every thread, timer and socket the connection
 * created. What was passed in (an {@code OkHttpClient}, an executor) is never shut down.
 */
public interface HubConnection extends AutoCloseable {

  /**
   * Negotiates, opens a transport and completes the handshake. Allowed only in {@link
   * HubConnectionState#Disconnected}; the future fails with {@link HubConnectionException} when no
   * transport could connect or the handshake was refused. Automatic reconnect never applies to the
   * first start.
   */
  CompletableFuture<Void> start();

  /**
   * Sends a Close message (when connected), closes the transport and releases the connection's
   * threads. Completes when the connection is {@link HubConnectionState#Disconnected} and the
   * {@code onClose} listeners ran. Stopping a stopped connection completes at once. Pending
   * invocations fail with {@link HubConnectionException}.
   */
  CompletableFuture<Void> stop();

  /** {@link #stop()} and waits for it, at most the handshake timeout plus 5 seconds. */
  @Override
  void close();

  /**
   * Invokes a hub method without waiting for it to run (no invocation id: the server never
   * answers). The future completes once the message was handed to the transport. Arguments that are
   * {@link Flow.Publisher}s are streamed to the server (see {@link #invoke}).
   */
  CompletableFuture<Void> send(String method, Object... arguments);

  /**
   * Invokes a hub method and completes with its result bound to {@code resultType} ({@code
   * Void.class} or {@code Object.class} for "don't care"). Fails with {@link HubException} carrying
   * the server's error text, or {@link HubConnectionException} when the connection closes first.
   *
   * <p>Every argument that is a {@link Flow.Publisher} becomes a client-to-server stream: it is
   * replaced by a stream id, subscribed after the invocation is sent, and each item is sent as a
   * StreamItem (requesting the next item only once the previous one was handed to the transport),
   * ended by a Completion (with {@code error.toString()} if the publisher failed).
   */
  <T> CompletableFuture<T> invoke(Class<T> resultType, String method, Object... arguments);

  /** {@link #invoke(Class, String, Object...)} for generic result types. */
  <T> CompletableFuture<T> invoke(TypeToken<T> resultType, String method, Object... arguments);

  /**
   * A server-to-client stream. Each subscription sends its own StreamInvocation; cancelling the
   * subscription sends a CancelInvocation. Items beyond the subscriber's demand are buffered up to
   * {@link HubConnectionBuilder#streamBufferCapacity} items; when that overflows the stream is
   * cancelled and the subscriber gets {@code onError} with an {@link IllegalStateException}. A
   * server error ends the stream with {@link HubException}, a lost connection with {@link
   * HubConnectionException}. A {@code null} item from the server is passed on as {@code null}.
   */
  <T> Flow.Publisher<T> stream(Class<T> itemType, String method, Object... arguments);

  /** {@link #stream(Class, String, Object...)} for generic item types. */
  <T> Flow.Publisher<T> stream(TypeToken<T> itemType, String method, Object... arguments);

  /**
   * Registers a handler for invocations of {@code method} from the server (matched
   * case-insensitively). Arguments are bound to {@code parameterTypes}; every handler of one method
   * must declare the same types. An invocation whose arguments do not bind is logged and skipped.
   */
  Subscription on(String method, MessageHandler handler, Type... parameterTypes);

  /** A handler for a method with one argument. */
  <A> Subscription on(String method, Class<A> parameterType, Consumer<A> handler);

  /**
   * Registers a handler whose return value answers the server's invocation (client results). Rules
   * as in the JavaScript client: no handler gives the error {@code Client didn't provide a
   * result.}; a thrown exception gives {@code exception.toString()}; more than one result gives
   * {@code Client provided multiple results.}.
   */
  Subscription onWithResult(String method, ResultHandler handler, Type... parameterTypes);

  /**
   * Called once the connection is {@link HubConnectionState#Disconnected} after having started:
   * with {@code null} after {@link #stop()}, otherwise with the error that closed it.
   */
  Subscription onClose(Consumer<Throwable> listener);

  /** Called when the connection was lost and automatic reconnect begins, with the cause. */
  Subscription onReconnecting(Consumer<Throwable> listener);

  /** Called when automatic reconnect succeeded, with the new connection id (null if skipped). */
  Subscription onReconnected(Consumer<String> listener);

  /**
   * The state now ({@code connection.state} in the JavaScript client; record-style, like every
   * accessor of this library).
   */
  HubConnectionState state();

  /**
   * The id from negotiate while connected; {@code null} otherwise or when negotiate was skipped.
   */
  String connectionId();
}
