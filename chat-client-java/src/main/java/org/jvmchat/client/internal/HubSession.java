package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import org.jvmchat.client.HubConnectionException;
import org.jvmchat.client.internal.transport.Transport;
import org.jvmchat.client.internal.transport.TransportContext;
import org.jvmchat.client.internal.transport.TransportListener;
import org.jvmchat.client.internal.transport.Transports;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HandshakeProtocol;
import org.jvmchat.protocol.HandshakeRequest;
import org.jvmchat.protocol.HandshakeResponse;
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
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.negotiate.HttpTransportType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hub connection (one handshake, one connection id) over a transport: reads and dispatches
 * messages, keeps pending invocations and streams, sends pings, watches the server timeout, and —
 * with stateful reconnect — numbers, buffers, acknowledges and replays messages across a new
 * WebSocket. It ends exactly once, reported to its {@link Owner}.
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
  private final AtomicLong ids;
  private final AccessTokens tokens;
  private final TransportContext transportContext;
  final String connectionId;
  private final HttpUrl transportUrl;
  private final MessageBuffer buffer; // null unless stateful reconnect is on
  private volatile Owner owner;
  private final ServerInvocations serverInvocations;

  private final Object readLock = new Object();
  private final Object sendLock = new Object();
  private volatile Transport transport;
  private HubMessageReader reader;
  private byte[] handshakeBytes = new byte[0];
  private volatile boolean handshakeDone;
  private final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private boolean reconnecting; // guarded by sendLock

  private final ConcurrentHashMap<String, PendingCall> pending = new ConcurrentHashMap<>();
  private final UploadStreams uploads;
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile Throwable closeError;
  private volatile boolean closeAllowReconnect;
  private final SessionTimers timers;
  private final Liveness liveness;

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
    this.ids = ids;
    this.tokens = tokens;
    this.transportContext = transportContext;
    this.connectionId = connectionId;
    this.transportUrl = transportUrl;
    this.buffer = stateful ? new MessageBuffer(options.statefulReconnectBufferSize()) : null;
    this.reader = new HubMessageReader(protocol, this, options.maxReceiveMessageSize());
    this.serverInvocations =
        new ServerInvocations(handlers, resources.handlerLane, this::sendMessage);
    this.uploads = new UploadStreams(this);
    this.timers = new SessionTimers(resources.timer);
    this.liveness =
        new Liveness(
            timers,
            options.keepAliveInterval(),
            options.serverTimeout(),
            new Liveness.Session() {
              @Override
              public void sendPing() {
                sendRaw(PingMessage.INSTANCE);
              }

              @Override
              public void timedOut(HubConnectionException error) {
                abort(error);
              }

              @Override
              public boolean replacingSocket() {
                synchronized (sendLock) {
                  return reconnecting;
                }
              }

              @Override
              public boolean ended() {
                return finished.get();
              }
            });
  }

  boolean isStateful() {
    return buffer != null;
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
    this.transport = t;
    return t.start(transportUrl, protocol.transferFormat(), this)
        .thenCompose(ignored -> handshake(t));
  }

  /** A handshake problem: fails start() without trying other transports. */
  static final class HandshakeFailure extends HubConnectionException {
    private static final long serialVersionUID = 1L;

    HandshakeFailure(String message) {
      super(message);
    }
  }

  private CompletableFuture<Void> handshake(Transport t) {
    int version = isStateful() && t.type() == HttpTransportType.WebSockets ? 2 : 1;
    timers.once(
        () ->
            handshake.completeExceptionally(
                new HandshakeFailure(
                    "The server did not complete the handshake within "
                        + options.handshakeTimeout().toMillis()
                        + " ms.")),
        options.handshakeTimeout().toMillis());
    byte[] request = HandshakeProtocol.writeRequest(new HandshakeRequest(protocol.name(), version));
    t.send(request)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                handshake.completeExceptionally(
                    new HandshakeFailure("Sending the handshake failed: " + e.getMessage()));
              }
            });
    return handshake.whenComplete(
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
      sendRaw(PingMessage.INSTANCE); // arms the server's client timeout, as the official clients do
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
      if (finished.get() && handshakeDone) {
        return;
      }
      try {
        if (!handshakeDone) {
          data = readHandshake(data);
          if (data == null) {
            return;
          }
        }
        reader.feed(data, this::dispatch);
      } catch (HubProtocolException e) {
        if (!handshakeDone) {
          handshake.completeExceptionally(
              new HandshakeFailure("Invalid handshake response: " + e.getMessage()));
        } else {
          log.warn("Closing the connection: the server sent invalid data: {}", e.getMessage());
          abort(new HubConnectionException("The server sent invalid data: " + e.getMessage(), e));
        }
      }
    }
  }

  /** Returns the bytes after the handshake response, or null while it is incomplete/failed. */
  private ByteBuffer readHandshake(ByteBuffer data) {
    byte[] all = new byte[handshakeBytes.length + data.remaining()];
    System.arraycopy(handshakeBytes, 0, all, 0, handshakeBytes.length);
    data.get(all, handshakeBytes.length, data.remaining());
    ByteBuffer buf = ByteBuffer.wrap(all);
    HandshakeResponse response =
        HandshakeProtocol.tryParseResponse(buf, options.maxReceiveMessageSize());
    if (response == null) {
      handshakeBytes = all;
      return null;
    }
    handshakeBytes = null;
    if (!response.isSuccess()) {
      handshake.completeExceptionally(
          new HandshakeFailure("Server returned handshake error: " + response.error()));
      return null;
    }
    handshakeDone = true;
    handshake.complete(null);
    return buf;
  }

  private void dispatch(HubMessage message) {
    if (buffer != null && message instanceof HubInvocationMessage && !buffer.shouldProcess()) {
      return; // a duplicate after a reconnect, or arrived before the peer's Sequence
    }
    if (message instanceof InvocationMessage m) {
      serverInvocations.invoke(m.target(), m.invocationId(), m.arguments());
    } else if (message instanceof StreamItemMessage m) {
      PendingCall call = pending.get(m.invocationId());
      if (call != null) {
        call.item(m.item());
      }
    } else if (message instanceof CompletionMessage m) {
      PendingCall call = pending.remove(m.invocationId());
      if (call != null) {
        call.complete(m);
      } else {
        log.debug("Completion for unknown invocation '{}' ignored", m.invocationId());
      }
    } else if (message instanceof CloseMessage m) {
      closeFromServer(m);
    } else if (message instanceof AckMessage m) {
      if (buffer != null) {
        sendAdmitted(buffer.ack(m.sequenceId()));
      }
    } else if (message instanceof SequenceMessage m) {
      if (buffer != null) {
        buffer.sequence(m.sequenceId()); // HubProtocolException if ahead: connection-fatal
      }
    } else if (message instanceof InvocationBindingFailureMessage m) {
      serverInvocations.bindingFailed(m);
    } else if (message instanceof StreamBindingFailureMessage m) {
      PendingCall call = pending.remove(m.invocationId());
      if (call != null) {
        call.fail(new HubException("The stream item could not be bound: " + m.reason()));
        sendMessage(CancelInvocationMessage.of(m.invocationId()));
      }
    }
    // Ping: liveness only (lastReceived). StreamInvocation/CancelInvocation: not for clients.
  }

  // ---------------------------------------------------------------- InvocationBinder

  @Override
  public List<Type> parameterTypes(String target) {
    return handlers.parameterTypes(target);
  }

  @Override
  public Type returnType(String invocationId) {
    PendingCall call = pending.get(invocationId);
    return call == null ? null : call.type();
  }

  @Override
  public Type streamItemType(String streamId) {
    PendingCall call = pending.get(streamId);
    return call == null ? null : call.type();
  }

  // ---------------------------------------------------------------- send

  String nextId() {
    return Long.toString(ids.getAndIncrement());
  }

  CompletableFuture<Object> invoke(Type resultType, String method, Object[] arguments) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    UploadStreams.Call call = uploads.prepare(arguments);
    String id = nextId();
    pending.put(id, new InvokeCall(resultType, future, resources.resultLane));
    sendMessage(new InvocationMessage(Map.of(), id, method, call.arguments(), call.streamIds()))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                PendingCall p = pending.remove(id);
                if (p != null) {
                  p.fail(unwrap(e));
                }
              } else {
                uploads.start(call);
              }
            });
    if (finished.get()) {
      failPending(id);
    }
    return future;
  }

  CompletableFuture<Void> send(String method, Object[] arguments) {
    UploadStreams.Call call = uploads.prepare(arguments);
    return sendMessage(
            new InvocationMessage(Map.of(), null, method, call.arguments(), call.streamIds()))
        .thenRun(() -> uploads.start(call));
  }

  void stream(Type itemType, String method, Object[] arguments, Flow.Subscriber<Object> s) {
    UploadStreams.Call call = uploads.prepare(arguments);
    String id = nextId();
    StreamCall stream =
        new StreamCall(
            id,
            itemType,
            s,
            resources.resultLane,
            options.streamBufferCapacity(),
            cancelled -> {
              pending.remove(cancelled);
              sendMessage(CancelInvocationMessage.of(cancelled));
            });
    pending.put(id, stream);
    stream.start();
    sendMessage(
            new StreamInvocationMessage(Map.of(), id, method, call.arguments(), call.streamIds()))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                PendingCall p = pending.remove(id);
                if (p != null) {
                  p.fail(unwrap(e));
                }
              } else {
                uploads.start(call);
              }
            });
    if (finished.get()) {
      failPending(id);
    }
  }

  private void failPending(String id) {
    PendingCall p = pending.remove(id);
    if (p != null) {
      p.fail(closedError());
    }
  }

  /** Arguments with their publishers replaced by stream ids (allocated first, as in JS). */
  void uploadDone(UploadSubscriber upload) {
    uploads.done(upload);
  }

  /** Serializes and sends a hub message (numbered and buffered when stateful and trackable). */
  CompletableFuture<Void> sendMessage(HubMessage message) {
    if (finished.get()) {
      return CompletableFuture.failedFuture(closedError());
    }
    byte[] bytes;
    try {
      bytes = protocol.toBytes(message);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("The message could not be serialized: " + e, e));
    }
    if (buffer == null || !(message instanceof HubInvocationMessage)) {
      return write(bytes);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (sendLock) {
      MessageBuffer.Entry entry = buffer.admit(bytes, done);
      if (entry != null) {
        writeBuffered(entry);
      }
    }
    return done;
  }

  private void sendAdmitted(List<MessageBuffer.Entry> admitted) {
    synchronized (sendLock) {
      for (MessageBuffer.Entry e : admitted) {
        writeBuffered(e);
      }
    }
  }

  /**
   * Under sendLock. A buffered message is safe once admitted: if the socket is down (or breaks
   * before the client notices, so the write fails) it is replayed on the new socket; if the session
   * ends instead, what waited for its answer fails then.
   */
  private void writeBuffered(MessageBuffer.Entry entry) {
    if (!reconnecting) {
      write(entry.bytes())
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.debug("Write failed; message {} stays buffered for replay", entry.id());
                }
              });
    }
    entry.done().complete(null);
  }

  /** A message outside the numbering (ping, ack, sequence, close); skipped while reconnecting. */
  private CompletableFuture<Void> sendRaw(HubMessage message) {
    synchronized (sendLock) {
      if (!reconnecting) {
        return write(protocol.toBytes(message));
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  private CompletableFuture<Void> write(byte[] bytes) {
    liveness.sent();
    return transport.send(bytes);
  }

  private void ackTick() {
    long id = buffer.takeAck();
    if (id >= 0 && !finished.get()) {
      sendRaw(new AckMessage(id));
    }
  }

  // ---------------------------------------------------------------- close and reconnect

  @Override
  public void onClose(Throwable error, boolean abrupt) {
    if (!handshakeDone) {
      handshake.completeExceptionally(
          new HandshakeFailure(
              "The connection closed during the handshake"
                  + (error == null ? "." : ": " + error.getMessage())));
      return;
    }
    if (stopping) {
      finish(closeError, closeAllowReconnect);
    } else if (abrupt && isStateful() && transport.type() == HttpTransportType.WebSockets) {
      reconnectSocket(error);
    } else {
      finish(error, true);
    }
  }

  /** Stateful reconnect: one new WebSocket to the same connection, then Sequence and replay. */
  private void reconnectSocket(Throwable cause) {
    log.info("WebSocket lost ({}); reconnecting to the same connection", cause.getMessage());
    synchronized (sendLock) {
      reconnecting = true;
    }
    buffer.disconnected();
    tokens
        .refresh(resources.timer)
        .thenCompose(
            v -> {
              Transport next = Transports.create(HttpTransportType.WebSockets, transportContext);
              synchronized (readLock) {
                reader = new HubMessageReader(protocol, this, options.maxReceiveMessageSize());
              }
              return next.start(transportUrl, protocol.transferFormat(), this).thenApply(x -> next);
            })
        .whenComplete(
            (next, e) -> {
              if (e != null) {
                finish(
                    new HubConnectionException(
                        "Stateful reconnect failed: " + unwrap(e).getMessage(), unwrap(e)),
                    true);
                return;
              }
              if (stopping || finished.get()) {
                next.stop();
                return;
              }
              synchronized (sendLock) {
                transport = next;
                liveness.received();
                write(protocol.toBytes(new SequenceMessage(buffer.sequenceId())));
                for (MessageBuffer.Entry entry : buffer.replay()) {
                  write(entry.bytes());
                }
                reconnecting = false;
              }
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
    transport.stop();
  }

  /** Ends the session at once with {@code error} (reconnect allowed), closing the transport. */
  private void abort(Throwable error) {
    closeError = error;
    closeAllowReconnect = true;
    stopping = true;
    finish(error, true);
    transport.stop();
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
    if (handshakeDone) {
      try {
        sendRaw(CloseMessage.EMPTY).whenComplete((v, e) -> closeSent.complete(null));
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
        .thenCompose(v -> transport.stop())
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
    for (String id : new ArrayList<>(pending.keySet())) {
      PendingCall p = pending.remove(id);
      if (p != null) {
        p.fail(failure);
      }
    }
    if (buffer != null) {
      for (MessageBuffer.Entry e : buffer.drainWaiting()) {
        e.done().completeExceptionally(failure);
      }
    }
    uploads.cancelAll();
    Owner o = owner;
    if (o != null) {
      o.sessionClosed(this, error, allowReconnect);
    }
  }

  private HubConnectionException closedError() {
    return closedError(closeError);
  }

  private static HubConnectionException closedError(Throwable cause) {
    return new HubConnectionException(
        "Invocation canceled due to the underlying connection being closed."
            + (cause == null ? "" : " " + cause.getMessage()),
        cause);
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
