package org.jvmchat.hub.internal.scaleout;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jvmchat.hub.internal.connection.Ids;
import org.jvmchat.hub.internal.lifetime.ClientResults;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientInvocation;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientResult;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client results across instances, both sides. The caller publishes the invocation on the
 * connection's channel with its return channel and waits in {@link ClientResults}; the holder
 * writes it to the client, remembers where to answer, and publishes the client's Completion (or a
 * disconnect error) back, serialized in the client's protocol; the caller binds it to the expected
 * type.
 */
final class RemoteClientResults {
  private static final Logger log = LoggerFactory.getLogger(ScaleoutHubLifetimeManager.class);

  /** The holder forgets a call this long after the caller's own timeout. */
  private static final long GRACE_MILLIS = 5_000;

  private record Call(String returnChannel, ScheduledFuture<?> expiry) {}

  private final String hubName;
  private final List<HubProtocol> protocols;
  private final Map<String, HubProtocol> protocolsByName = new LinkedHashMap<>();
  private final ScaleoutChannels channels;
  private final String serverName;
  private final ScheduledExecutorService scheduler;
  private final ClientResults clientResults;
  private final ScaleoutPublisher publisher;
  private final Function<String, HubConnectionContext> localConnections;

  /** Holder side: calls from other instances awaiting a local client's result. */
  private final Map<String, Call> calls = new ConcurrentHashMap<>();

  /** Caller side: connections elsewhere with results pending here, with how many. */
  private final Map<String, Integer> targets = new ConcurrentHashMap<>();

  RemoteClientResults(
      String hubName,
      List<HubProtocol> protocols,
      ScaleoutChannels channels,
      String serverName,
      ScheduledExecutorService scheduler,
      ClientResults clientResults,
      ScaleoutPublisher publisher,
      Function<String, HubConnectionContext> localConnections) {
    this.hubName = hubName;
    this.protocols = protocols;
    for (HubProtocol p : protocols) {
      protocolsByName.put(p.name(), p);
    }
    this.channels = channels;
    this.serverName = serverName;
    this.scheduler = scheduler;
    this.clientResults = clientResults;
    this.publisher = publisher;
    this.localConnections = localConnections;
  }

  // ---------------------------------------------------------------- caller side

  /** Invokes {@code method} on a connection that is not local, once {@code ready} completes. */
  <T> CompletableFuture<T> invoke(
      CompletableFuture<Void> ready,
      String connectionId,
      String method,
      Object[] args,
      Type resultType,
      Duration timeout) {
    String invocationId = Ids.newId();
    CompletableFuture<T> result =
        clientResults.register(connectionId, invocationId, resultType, timeout);
    targets.merge(connectionId, 1, Integer::sum);
    result.whenComplete(
        (v, e) -> targets.computeIfPresent(connectionId, (k, n) -> n == 1 ? null : n - 1));
    SerializedHubMessage message =
        new SerializedHubMessage(
            new InvocationMessage(null, invocationId, method, Arrays.asList(args), null));
    Map<String, byte[]> bytes = new LinkedHashMap<>(4);
    for (HubProtocol p : protocols) {
      bytes.put(p.name(), message.bytes(p));
    }
    byte[] payload =
        ScaleoutCodec.encode(
            new ClientInvocation(
                serverName, invocationId, bytes, channels.returns(serverName), timeout.toMillis()));
    ready
        .thenCompose(v -> publisher.publish(channels.connection(connectionId), payload))
        .whenComplete(
            (receivers, e) -> {
              if (e != null) {
                failCall(
                    connectionId,
                    invocationId,
                    "Could not reach connection '"
                        + connectionId
                        + "': the backplane is unavailable.");
              } else if (receivers == 0) {
                failCall(
                    connectionId,
                    invocationId,
                    "Connection '" + connectionId + "' does not exist.");
              }
            });
    return result;
  }

  private void failCall(String connectionId, String invocationId, String error) {
    clientResults.complete(connectionId, CompletionMessage.withError(invocationId, error));
  }

  /** A result returning from the holder of the connection. */
  void onReturn(ClientResult m) {
    String connectionId = m.connectionId();
    HubProtocol protocol = protocolsByName.get(m.protocol());
    CompletionMessage completion = null;
    if (protocol != null) {
      try {
        HubMessage parsed =
            protocol.tryParse(
                ByteBuffer.wrap(m.completion()),
                InvocationBinder.forCompletions(
                    invocationId -> clientResults.type(connectionId, invocationId)),
                Integer.MAX_VALUE);
        if (parsed instanceof CompletionMessage cm && cm.invocationId().equals(m.invocationId())) {
          completion = cm;
        }
      } catch (RuntimeException e) {
        log.debug("Hub {}: unreadable client result: {}", hubName, e.toString());
      }
    }
    if (completion == null) {
      Type type = clientResults.type(connectionId, m.invocationId());
      completion =
          CompletionMessage.withError(
              m.invocationId(),
              "Client result wasn't deserializable to "
                  + (type == null ? "Object" : type.getTypeName())
                  + ".");
    }
    clientResults.complete(connectionId, completion);
  }

  /** Fails every call this instance still awaits from another instance (on close). */
  void failPendingCalls() {
    for (String target : new ArrayList<>(targets.keySet())) {
      clientResults.connectionClosed(target);
    }
  }

  // ---------------------------------------------------------------- holder side

  /** An invocation from another instance for {@code c}, a local connection (or null if gone). */
  void onClientInvocation(String connectionId, HubConnectionContext c, ClientInvocation m) {
    if (c == null) {
      answer(
          m.returnChannel(),
          connectionId,
          protocols.get(0),
          CompletionMessage.withError(
              m.invocationId(), "Connection '" + connectionId + "' disconnected."));
      return;
    }
    String key = key(connectionId, m.invocationId());
    ScheduledFuture<?> expiry;
    try {
      expiry =
          scheduler.schedule(
              () -> calls.remove(key), m.timeoutMillis() + GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // closing
    }
    calls.put(key, new Call(m.returnChannel(), expiry));
    boolean written;
    try {
      written =
          localConnections.apply(connectionId) != null
              && c.write(SerializedHubMessage.ofSerialized(m.messages()));
    } catch (RuntimeException e) {
      // The calling instance does not speak this connection's protocol.
      failHeldCall(
          key,
          connectionId,
          "Connection '"
              + connectionId
              + "' uses the '"
              + c.protocol().name()
              + "' protocol, which the calling server does not speak.");
      return;
    }
    if (!written) {
      failHeldCall(key, connectionId, "Connection '" + connectionId + "' disconnected.");
    }
  }

  /** Whether a call from another instance awaits this local connection's result. */
  boolean awaits(String connectionId, String invocationId) {
    return calls.containsKey(key(connectionId, invocationId));
  }

  /** Sends a local client's result back to the caller; false when no such call is waiting. */
  boolean complete(String connectionId, CompletionMessage result) {
    Call call = calls.remove(key(connectionId, result.invocationId()));
    if (call == null) {
      return false;
    }
    call.expiry().cancel(false);
    HubConnectionContext c = localConnections.apply(connectionId);
    answer(call.returnChannel(), connectionId, c != null ? c.protocol() : protocols.get(0), result);
    return true;
  }

  /** A local connection ended: its callers elsewhere get {@code Connection 'X' disconnected.}. */
  void connectionClosed(String connectionId) {
    String prefix = connectionId + '\u0000';
    for (String key : new ArrayList<>(calls.keySet())) {
      if (key.startsWith(prefix)) {
        failHeldCall(key, connectionId, "Connection '" + connectionId + "' disconnected.");
      }
    }
  }

  private void failHeldCall(String key, String connectionId, String error) {
    Call call = calls.remove(key);
    if (call != null) {
      call.expiry().cancel(false);
      String invocationId = key.substring(key.indexOf('\u0000') + 1);
      answer(
          call.returnChannel(),
          connectionId,
          protocols.get(0),
          CompletionMessage.withError(invocationId, error));
    }
  }

  private void answer(
      String returnChannel, String connectionId, HubProtocol protocol, CompletionMessage result) {
    byte[] completion = protocol.toBytes(result);
    publisher.publishQuietly(
        returnChannel,
        new ClientResult(connectionId, result.invocationId(), protocol.name(), completion));
  }

  private static String key(String connectionId, String invocationId) {
    return connectionId + '\u0000' + invocationId;
  }
}
