package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.client.internal.transport.TransportContext;
import org.jvmchat.client.internal.transport.TransportListener;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubMessageReader;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.HubProtocolException;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.internal.Futures;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection (one handshake, one connection id) over a transport. It wires the pieces and
 * owns the session's life:
 *
 * <ul>
 *   <li>{@link ClientHandshake}: the handshake request, response and timeout;
 *   <li>the inbound side (here): handshake bytes, then the {@link HubMessageReader}, then {@link
 *       #dispatch} to the piece each message belongs to;
 *   <li>{@link HubCalls}: the application's invoke, send and stream, with their {@link
 *       UploadStreams} (client-to-server streams);
 *   <li>{@link PendingCalls}: invocations and streams waiting for the server;
 *   <li>{@link ServerInvocations}: the application's handlers for the server's invocations;
 *   <li>{@link Outbound}: serialization, the socket and, with stateful reconnect, the {@link
 *       StatefulBuffer} (numbering, Acks, replay);
 *   <li>{@link SocketReplacement}: stateful reconnect's new socket;
 *   <li>{@link Liveness} and {@link SessionTimers}: keep-alive, server timeout, the Ack timer.
 * </ul>
 *
 * It ends exactly once ({@link #finish}), reported to its {@link Owner}.
 *
 * <p>Threading: the inbound side ({@link #reader}, the handshake's reader) is confined to the
 * transport's reading thread, one call at a time, and guarded by {@link #readLock} because a
 * replaced socket's reader thread takes over from the old one. The end of the session is the {@link
 * #finished} flag (compare-and-set); {@link #stopping} and the close reason are volatile, written
 * before the transport is stopped and read by its close callback. Every other piece guards its own
 * state.
 */
final class HubSession implements TransportListener, InvocationBinder {
  private static final Logger log = LoggerFactory.getLogger(HubSession.class);
  static final long ACK_INTERVAL_MILLIS = 1000;

  /** How long stop() waits for its Close message to be sent before closing the transport. */
  static final long CLOSE_SEND_TIMEOUT_MILLIS = 5000;

  interface Owner {
    void sessionClosed(HubSession session, Throwable error, boolean allowReconnect);
  }

  private final ClientOptions options;
  private final ClientResources resources;
  private final HandlerRegistry handlers;
  private final HubProtocol protocol;
  private final HttpUrl transportUrl;
  final String connectionId;
  private volatile Owner owner;

  private final ClientHandshake handshake;
  private final PendingCalls pending = new PendingCalls();
  private final HubCalls calls;
  private final ServerInvocations serverInvocations;
  private final StatefulBuffer stateful; // null unless stateful reconnect is on
  private final Outbound outbound;
  private final SocketReplacement socketReplacement;
  private final SessionTimers timers;
  private final Liveness liveness;

  private final Object readLock = new Object();
  private HubMessageReader reader; // guarded by readLock

  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile Throwable closeError;
  private volatile boolean closeAllowReconnect;

  HubSession(
      ClientOptions options,
      ClientResources resources,
      HandlerRegistry handlers,
      AtomicLong ids,
      AccessTokens tokens,
      TransportContext transportContext,
      String connectionId,
      HttpUrl transportUrl,
      boolean stateful) {
    this.options = options;
    this.resources = resources;
    this.handlers = handlers;
    this.protocol = options.protocol();
    this.connectionId = connectionId;
    this.transportUrl = transportUrl;
    this.handshake = new ClientHandshake(options.maxReceiveMessageSize());
    this.reader = newReader();
    this.timers = new SessionTimers(resources.timer);
    this.liveness =
        new Liveness(
            timers,
            options.keepAliveInterval(),
            options.serverTimeout(),
            new Liveness.Session() {
              @Override
              public void sendPing() {
                outbound.sendUntracked(PingMessage.INSTANCE);
              }

              @Override
              public void timedOut(HubConnectionException error) {
                abort(error);
              }

              @Override
              public boolean replacingSocket() {
                return outbound.isReplacing();
              }

              @Override
              public boolean ended() {
                return finished.get();
              }
            });
    this.stateful = stateful ? new StatefulBuffer(options.statefulReconnectBufferSize()) : null;
    this.outbound = new Outbound(protocol, this.stateful, liveness::sent);
    this.socketReplacement =
        new SocketReplacement(
            tokens, resources.timer, transportContext, transportUrl, protocol.transferFormat());
    this.calls =
        new HubCalls(
            ids, pending, resources.resultLane, options.streamBufferCapacity(), this::sendMessage);
    this.serverInvocations =
        new ServerInvocations(handlers, resources.handlerLane, this::sendMessage);
  }

  private HubMessageReader newReader() {
    return new HubMessageReader(protocol, this, options.maxReceiveMessageSize());
  }

  boolean isStateful() {
    return stateful != null;
  }

  boolean isFinished() {
    return finished.get();
  }

  Throwable closeError() {
    return closeError;
  }

  // ---------------------------------------------------------------- start

  /**
   * Starts {@code t} and performs the handshake over it. Fails with the transport's error (the
   * caller may fall back to another transport) or with {@link HandshakeFailure}.
   */
  CompletableFuture<Void> connect(Transport t, Owner owner) {
    this.owner = owner;
    outbound.attach(t);
    return t.start(transportUrl, protocol.transferFormat(), this)
        .thenCompose(ignored -> handshake(t));
  }

  private CompletableFuture<Void> handshake(Transport t) {
    int version = isStateful() && t.type() == HttpTransportType.WebSockets ? 2 : 1;
    return handshake
        .start(t, protocol.name(), version, options.handshakeTimeout(), timers)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                stopping = true;
                finished.set(true);
                timers.cancelAll();
                t.stop();
              } else {
                afterHandshake(t);
              }
            });
  }

  private void afterHandshake(Transport t) {
    if (!t.hasInherentKeepAlive()) {
      // Arms the server's client timeout, as the official clients do.
      outbound.sendUntracked(PingMessage.INSTANCE);
      liveness.start();
    }
    if (isStateful()) {
      timers.repeat(this::ackTick, ACK_INTERVAL_MILLIS);
    }
  }

  // ---------------------------------------------------------------- receive

  @Override
  public void onReceive(ByteBuffer data) {
    liveness.received();
    synchronized (readLock) {
      boolean handshakeDone = handshake.isDone();
      if (finished.get() && handshakeDone) {
        return;
      }
      if (!handshakeDone) {
        data = handshake.feed(data);
        if (data == null) {
          return;
        }
      }
      try {
        reader.feed(data, this::dispatch);
      } catch (HubProtocolException e) {
        log.warn("Closing the connection: the server sent invalid data: {}", e.getMessage());
        abort(new HubConnectionException("The server sent invalid data: " + e.getMessage(), e));
      }
    }
  }

  /** Routes one message from the server to the piece it belongs to. */
  private void dispatch(HubMessage message) {
    if (message instanceof HubInvocationMessage && !shouldProcess()) {
      return; // a duplicate after a reconnect, or arrived before the server's Sequence
    }
    if (message instanceof InvocationMessage m) {
      serverInvocations.invoke(m.target(), m.invocationId(), m.arguments());
    } else if (message instanceof StreamItemMessage m) {
      pending.item(m);
    } else if (message instanceof CompletionMessage m) {
      if (!pending.complete(m)) {
        log.debug("Completion for unknown invocation '{}' ignored", m.invocationId());
      }
    } else if (message instanceof CloseMessage m) {
      closeFromServer(m);
    } else if (message instanceof AckMessage m) {
      if (isStateful()) {
        outbound.ack(m.sequenceId());
      }
    } else if (message instanceof SequenceMessage m) {
      if (isStateful()) {
        stateful.sequence(m.sequenceId()); // HubProtocolException if ahead: connection-fatal
      }
    } else if (message instanceof InvocationBindingFailureMessage m) {
      serverInvocations.bindingFailed(m);
    } else if (message instanceof StreamBindingFailureMessage m) {
      if (pending.streamBindingFailed(m)) {
        sendMessage(CancelInvocationMessage.of(m.invocationId()));
      }
    }
    // Ping: liveness only (lastReceived). StreamInvocation/CancelInvocation: not for clients.
  }

  private boolean shouldProcess() {
    return stateful == null || stateful.shouldProcess();
  }

  // ---------------------------------------------------------------- InvocationBinder

  @Override
  public List<Type> parameterTypes(String target) {
    return handlers.parameterTypes(target);
  }

  @Override
  public Type returnType(String invocationId) {
    return pending.type(invocationId);
  }

  @Override
  public Type streamItemType(String streamId) {
    return pending.type(streamId);
  }

  // ---------------------------------------------------------------- send

  CompletableFuture<Object> invoke(Type resultType, String method, Object[] arguments) {
    return calls.invoke(resultType, method, arguments);
  }

  CompletableFuture<Void> send(String method, Object[] arguments) {
    return calls.send(method, arguments);
  }

  void stream(Type itemType, String method, Object[] arguments, Flow.Subscriber<Object> s) {
    calls.stream(itemType, method, arguments, s);
  }

  /** Sends a hub message unless the session ended (numbered and buffered when stateful). */
  CompletableFuture<Void> sendMessage(HubMessage message) {
    if (finished.get()) {
      return CompletableFuture.failedFuture(closedError(closeError));
    }
    return outbound.send(message);
  }

  /** Every {@link #ACK_INTERVAL_MILLIS}: acknowledges what was processed since the last Ack. */
  private void ackTick() {
    long id = stateful.takeAck();
    if (id >= 0 && !finished.get()) {
      outbound.sendUntracked(new AckMessage(id));
    }
  }

  // ---------------------------------------------------------------- close and reconnect

  @Override
  public void onClose(Throwable error, boolean abrupt) {
    if (!handshake.isDone()) {
      handshake.transportClosed(error);
      return;
    }
    if (stopping) {
      finish(closeError, closeAllowReconnect);
    } else if (abrupt
        && isStateful()
        && outbound.transport().type() == HttpTransportType.WebSockets) {
      reconnectSocket(error);
    } else {
      finish(error, true);
    }
  }

  /** Stateful reconnect: one new WebSocket to the same connection, then Sequence and replay. */
  private void reconnectSocket(Throwable cause) {
    log.info("WebSocket lost ({}); reconnecting to the same connection", cause.getMessage());
    outbound.detach();
    stateful.disconnected();
    synchronized (readLock) {
      // The old socket reported its last bytes before onClose; a partial frame of it is dropped.
      reader = newReader();
    }
    socketReplacement
        .open(this)
        .whenComplete(
            (next, e) -> {
              if (e != null) {
                Throwable c = Futures.unwrap(e);
                finish(
                    new HubConnectionException("Stateful reconnect failed: " + c.getMessage(), c),
                    true);
                return;
              }
              if (stopping || finished.get()) {
                next.stop();
                return;
              }
              liveness.received();
              outbound.replace(next);
              log.info("Reconnected to connection {} (stateful)", connectionId);
            });
  }

  private void closeFromServer(CloseMessage m) {
    Throwable error =
        m.error() == null
            ? null
            : new HubException("Server returned an error on close: " + m.error());
    closeError = error;
    closeAllowReconnect = m.allowReconnect();
    stopping = true;
    finish(error, m.allowReconnect());
    outbound.transport().stop();
  }

  /** Ends the session at once with {@code error} (reconnect allowed), closing the transport. */
  private void abort(Throwable error) {
    closeError = error;
    closeAllowReconnect = true;
    stopping = true;
    finish(error, true);
    outbound.transport().stop();
  }

  /** The application's stop: Close message, transport close; completes when the session ended. */
  CompletableFuture<Void> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    stopping = true;
    closeError = null;
    closeAllowReconnect = false;
    if (finished.get()) {
      done.complete(null);
      return done;
    }
    // The Close message goes out before the transport closes (over HTTP that is a POST the
    // transport would otherwise cancel), waiting at most CLOSE_SEND_TIMEOUT for it.
    CompletableFuture<Void> closeSent = new CompletableFuture<>();
    if (handshake.isDone()) {
      try {
        outbound.sendUntracked(CloseMessage.EMPTY).whenComplete((v, e) -> closeSent.complete(null));
        resources.timer.schedule(
            () -> closeSent.complete(null), CLOSE_SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        log.debug("Close message not sent", e);
        closeSent.complete(null);
      }
    } else {
      closeSent.complete(null);
    }
    closeSent
        .thenCompose(v -> outbound.transport().stop())
        .whenComplete(
            (v, e) -> {
              finish(null, false);
              done.complete(null);
            });
    return done;
  }

  private void finish(Throwable error, boolean allowReconnect) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    timers.cancelAll();
    HubConnectionException failure = closedError(error);
    pending.closeAll(failure);
    outbound.failWaiting(failure);
    calls.cancelUploads();
    Owner o = owner;
    if (o != null) {
      o.sessionClosed(this, error, allowReconnect);
    }
  }

  private static HubConnectionException closedError(Throwable cause) {
    return new HubConnectionException(
        "Invocation canceled due to the underlying connection being closed."
            + (cause == null ? "" : " " + cause.getMessage()),
        cause);
  }
}
