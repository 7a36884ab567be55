package org.jvmchat.azure.signalr.internal;

import io.netty.channel.EventLoopGroup;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.azure.signalr.AzureSignalROptions;
import org.jvmchat.azure.signalr.protocol.ServiceMessage;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.*;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.HubConnectionAcceptor;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.NegotiateRedirect;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifetime manager of one hub in Azure SignalR Service's default mode. It is the hub's
 * connection source (its server connections open a hub connection for every client the service
 * hands over) and it decides who receives a message by telling the service: every send becomes one
 * service message whose payloads are the hub message serialized once per protocol ({@code
 * BroadcastData}, {@code GroupBroadcastData}, {@code UserData}, ...), group changes wait for the
 * service's {@code Ack}, and client results addressed to a connection held by another server go
 * through the service ({@code ClientInvocation}, answered by {@code ClientCompletion} or {@code
 * ErrorCompletion}). A message for one connection of this server goes straight down that
 * connection's own server connection, keeping its order with the connection's other messages.
 */
public final class AzureHubLifetimeManager implements HubLifetimeManager {
  private static final Logger log = LoggerFactory.getLogger(AzureHubLifetimeManager.class);

  private final HubLifetimeManagerFactory.Context context;
  private final AzureSignalROptions options;
  private final AccessTokens tokens;
  private final EventLoopGroup group;
  private final String serviceHubName;
  private final List<ServiceConnection> connections = new ArrayList<>();
  private final Map<String, HubConnectionContext> local = new ConcurrentHashMap<>();
  private final Map<String, ServiceConnection> carriers = new ConcurrentHashMap<>();
  private final Map<Integer, CompletableFuture<Ack>> acks = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, ResultRoute> routes = new ConcurrentHashMap<>();
  private final AtomicInteger ackIds = new AtomicInteger();
  private final AtomicLong invocationIds = new AtomicLong();
  private final AtomicInteger next = new AtomicInteger();
  private volatile HubConnectionAcceptor acceptor;
  private volatile boolean closed;

  private record Pending(
      String connectionId,
      Type type,
      CompletableFuture<Object> future,
      ScheduledFuture<?> timeout) {}

  private record ResultRoute(String connectionId, String callerServerId) {}

  public AzureHubLifetimeManager(
      HubLifetimeManagerFactory.Context context,
      AzureSignalROptions options,
      AccessTokens tokens,
      EventLoopGroup group) {
    this.context = context;
    this.options = options;
    this.tokens = tokens;
    this.group = group;
    this.serviceHubName = options.serviceHubName(context.hubName());
    for (int i = 0; i < options.connectionCount(); i++) {
      connections.add(new ServiceConnection(this, i));
    }
  }

  // ------------------------------------------------------------------ for the server connections

  AzureSignalROptions options() {
    return options;
  }

  AccessTokens tokens() {
    return tokens;
  }

  EventLoopGroup group() {
    return group;
  }

  public String serviceHubName() {
    return serviceHubName;
  }

  HubConnectionAcceptor acceptor() {
    return acceptor;
  }

  void carriedBy(String connectionId, ServiceConnection connection) {
    if (connection == null) {
      carriers.remove(connectionId);
    } else {
      carriers.put(connectionId, connection);
    }
  }

  /** Server connections whose handshake is done. */
  public int readyConnections() {
    int n = 0;
    for (ServiceConnection c : connections) {
      if (c.isReady()) {
        n++;
      }
    }
    return n;
  }

  /** The last error of a server connection that is not ready, or null. */
  public String lastError() {
    for (ServiceConnection c : connections) {
      if (!c.isReady() && c.lastError() != null) {
        return c.lastError();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void start(HubConnectionAcceptor acceptor) {
    this.acceptor = acceptor;
    for (ServiceConnection c : connections) {
      c.connect();
    }
  }

  @Override
  public NegotiateRedirect negotiateRedirect(HubUser user) {
    String url = options.connectionString().clientEndpoint() + "/client/?hub=" + serviceHubName;
    String audience = options.connectionString().endpoint() + "/client/?hub=" + serviceHubName;
    return new NegotiateRedirect(url, tokens.client(audience, user));
  }

  @Override
  public boolean isHealthy() {
    return readyConnections() > 0;
  }

  /**
   * Tells the service, on every ready server connection, to send no new clients here ({@code
   * offline} ping) and waits for its {@code finack}s for at most the shutdown timeout.
   */
  @Override
  public void beginShutdown() {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (ServiceConnection c : connections) {
      if (c.goOffline()) {
        waits.add(c.offlineAcked());
      }
    }
    if (waits.isEmpty() || options.shutdownTimeout().isZero()) {
      return;
    }
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]))
          .get(options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.info(
          "Azure SignalR Service did not acknowledge going offline within {} for hub {}",
          options.shutdownTimeout(),
          serviceHubName);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ServiceConnection c : connections) {
      c.stop();
    }
    HubException gone = new HubException("The server is stopping");
    for (Pending p : pending.values()) {
      p.future.completeExceptionally(gone);
    }
    pending.clear();
    for (CompletableFuture<Ack> a : acks.values()) {
      a.completeExceptionally(gone);
    }
    acks.clear();
  }

  @Override
  public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
    local.put(connection.connectionId(), connection);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
    local.remove(connection.connectionId(), connection);
    HubException gone =
        new HubException("Connection '" + connection.connectionId() + "' disconnected.");
    pending
        .entrySet()
        .removeIf(
            e -> {
              if (e.getValue().connectionId.equals(connection.connectionId())) {
                fail(e.getValue(), gone);
                return true;
              }
              return false;
            });
    routes.entrySet().removeIf(e -> e.getValue().connectionId.equals(connection.connectionId()));
    return CompletableFuture.completedFuture(null);
  }

  // ------------------------------------------------------------------ sends

  private Map<String, byte[]> payloads(HubMessage message) {
    SerializedHubMessage s = new SerializedHubMessage(message);
    Map<String, byte[]> p = new LinkedHashMap<>();
    for (HubProtocol protocol : context.protocols()) {
      p.put(protocol.name(), s.bytes(protocol));
    }
    return p;
  }

  private ServiceConnection any() {
    int n = connections.size();
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      ServiceConnection c = connections.get((start + i) % n);
      if (c.isReady()) {
        return c;
      }
    }
    return null;
  }

  private CompletableFuture<Void> send(ServiceMessage m) {
    return send(null, m);
  }

  /** Sends on {@code preferred} when it is ready, else on any ready server connection. */
  private CompletableFuture<Void> send(ServiceConnection preferred, ServiceMessage m) {
    if (preferred != null && preferred.send(m)) {
      return CompletableFuture.completedFuture(null);
    }
    for (int attempt = 0; attempt < connections.size(); attempt++) {
      ServiceConnection c = any();
      if (c == null) {
        break;
      }
      if (c.send(m)) {
        return CompletableFuture.completedFuture(null);
      }
    }
    return CompletableFuture.failedFuture(
        new HubException("No connection to Azure SignalR Service is up"));
  }

  @Override
  public CompletableFuture<Void> sendAll(
      String method, Object[] args, Collection<String> excluded) {
    return send(
        new BroadcastData(
            excluded == null ? List.of() : List.copyOf(excluded),
            payloads(InvocationMessage.send(method, args)),
            null));
  }

  @Override
  public CompletableFuture<Void> sendConnection(String connectionId, String method, Object[] args) {
    HubConnectionContext c = local.get(connectionId);
    if (c != null) {
      c.write(InvocationMessage.send(method, args));
      return CompletableFuture.completedFuture(null);
    }
    return sendConnections(List.of(connectionId), method, args);
  }

  @Override
  public CompletableFuture<Void> sendConnections(
      Collection<String> connectionIds, String method, Object[] args) {
    return send(
        new MultiConnectionData(
            List.copyOf(connectionIds), payloads(InvocationMessage.send(method, args)), null));
  }

  @Override
  public CompletableFuture<Void> sendGroup(
      String groupName, String method, Object[] args, Collection<String> excluded) {
    return send(
        new GroupBroadcastData(
            groupName,
            excluded == null ? List.of() : List.copyOf(excluded),
            payloads(InvocationMessage.send(method, args)),
            null,
            null,
            null));
  }

  @Override
  public CompletableFuture<Void> sendGroups(
      Collection<String> groupNames, String method, Object[] args) {
    return send(
        new MultiGroupBroadcastData(
            List.copyOf(groupNames), payloads(InvocationMessage.send(method, args)), null));
  }

  @Override
  public CompletableFuture<Void> sendUser(String userId, String method, Object[] args) {
    return send(new UserData(userId, payloads(InvocationMessage.send(method, args)), null));
  }

  @Override
  public CompletableFuture<Void> sendUsers(
      Collection<String> userIds, String method, Object[] args) {
    return send(
        new MultiUserData(
            List.copyOf(userIds), payloads(InvocationMessage.send(method, args)), null));
  }

  // ------------------------------------------------------------------ groups

  @Override
  public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
    int id = ackIds.incrementAndGet();
    return withAck(
        id, carriers.get(connectionId), new JoinGroupWithAck(connectionId, groupName, id, null));
  }

  @Override
  public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
    int id = ackIds.incrementAndGet();
    return withAck(
        id, carriers.get(connectionId), new LeaveGroupWithAck(connectionId, groupName, id, null));
  }

  /**
   * Sends a ...WithAck message and completes when the service acknowledged it: {@code Ok}, or
   * {@code NotFound} (an unknown connection, which ASP.NET Core's managers ignore too); fails on a
   * timeout or when no server connection is up.
   */
  private CompletableFuture<Void> withAck(int id, ServiceConnection preferred, ServiceMessage m) {
    CompletableFuture<Ack> ack = new CompletableFuture<>();
    acks.put(id, ack);
    CompletableFuture<Void> sent = send(preferred, m);
    if (sent.isCompletedExceptionally()) {
      acks.remove(id);
      return sent;
    }
    ScheduledFuture<?> timeout =
        schedule(
            () -> {
              CompletableFuture<Ack> a = acks.remove(id);
              if (a != null) {
                a.completeExceptionally(
                    new HubException(
                        "Azure SignalR Service did not acknowledge the group change within "
                            + options.ackTimeout().toMillis()
                            + " ms"));
              }
            },
            options.ackTimeout());
    return ack.thenApplyAsync(
        a -> {
          if (timeout != null) {
            timeout.cancel(false);
          }
          if (a.status() != Ack.OK && a.status() != Ack.NOT_FOUND) {
            throw new HubException(
                "Azure SignalR Service refused the group change (status "
                    + a.status()
                    + (a.message() == null || a.message().isEmpty() ? "" : ": " + a.message())
                    + ")");
          }
          return (Void) null;
        },
        executor());
  }

  void acked(Ack a) {
    CompletableFuture<Ack> f = acks.remove(a.ackId());
    if (f != null) {
      f.complete(a);
    }
  }

  // ------------------------------------------------------------------ client results

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> invokeConnection(
      String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
    if (closed) {
      return CompletableFuture.failedFuture(new HubException("The server is stopping"));
    }
    String invocationId = Long.toString(invocationIds.incrementAndGet());
    CompletableFuture<Object> future = new CompletableFuture<>();
    ScheduledFuture<?> t =
        schedule(
            () -> {
              Pending p = pending.remove(invocationId);
              if (p != null) {
                fail(
                    p,
                    new HubException(
                        "Client '" + connectionId + "' did not answer within " + timeout));
              }
            },
            timeout);
    Pending p = new Pending(connectionId, resultType, future, t);
    pending.put(invocationId, p);
    InvocationMessage invocation = InvocationMessage.invoke(invocationId, method, args);
    HubConnectionContext c = local.get(connectionId);
    boolean sent;
    if (c != null) {
      sent = c.write(invocation);
    } else {
      sent =
          !send(new ClientInvocation(
                  invocationId, connectionId, options.serverId(), payloads(invocation), null))
              .isCompletedExceptionally();
    }
    if (!sent && pending.remove(invocationId) != null) {
      fail(p, new HubException("Connection '" + connectionId + "' does not exist."));
    }
    return (CompletableFuture<T>) future;
  }

  @Override
  public void setConnectionResult(String connectionId, CompletionMessage result) {
    Pending p = pending.get(result.invocationId());
    if (p != null && p.connectionId.equals(connectionId)) {
      pending.remove(result.invocationId());
      complete(p, result);
      return;
    }
    ResultRoute r = routes.remove(result.invocationId());
    if (r == null || !r.connectionId.equals(connectionId)) {
      log.debug("A result for unknown invocation {} of {}", result.invocationId(), connectionId);
      return;
    }
    HubConnectionContext c = local.get(connectionId);
    HubProtocol protocol = c == null ? null : c.protocol();
    if (result.error() != null || protocol == null) {
      send(
          new ErrorCompletion(
              result.invocationId(),
              connectionId,
              r.callerServerId,
              result.error() != null ? result.error() : "Connection disconnected.",
              null));
    } else {
      send(
          new ClientCompletion(
              result.invocationId(),
              connectionId,
              r.callerServerId,
              protocol.name(),
              new SerializedHubMessage(result).bytes(protocol),
              null));
    }
  }

  @Override
  public Type resultType(String connectionId, String invocationId) {
    Pending p = pending.get(invocationId);
    if (p != null && p.connectionId.equals(connectionId)) {
      return p.type;
    }
    ResultRoute r = routes.get(invocationId);
    return r != null && r.connectionId.equals(connectionId) ? Object.class : null;
  }

  /** The service tells the server holding a connection that another server invoked it. */
  void routed(ClientInvocation ci) {
    if (!options.serverId().equals(ci.callerServerId())) {
      routes.put(ci.invocationId(), new ResultRoute(ci.connectionId(), ci.callerServerId()));
    }
  }

  void clientCompleted(ClientCompletion cc) {
    Pending p = pending.remove(cc.invocationId());
    if (p == null) {
      return;
    }
    HubProtocol protocol = null;
    for (HubProtocol hp : context.protocols()) {
      if (hp.name().equals(cc.protocol())) {
        protocol = hp;
      }
    }
    if (protocol == null) {
      fail(p, new HubException("The client answered in an unknown protocol " + cc.protocol()));
      return;
    }
    try {
      HubMessage m =
          protocol.tryParse(
              ByteBuffer.wrap(cc.payload()),
              InvocationBinder.forCompletions(invocationId -> p.type),
              options.maxMessageSize());
      if (m instanceof CompletionMessage c) {
        complete(p, c);
      } else {
        fail(p, new HubException("The client's answer is not a completion"));
      }
    } catch (RuntimeException e) {
      fail(p, new HubException("The client's answer could not be read: " + e.getMessage(), e));
    }
  }

  void clientFailed(ErrorCompletion ec) {
    Pending p = pending.remove(ec.invocationId());
    if (p != null) {
      fail(p, new HubException(ec.error() == null ? "The invocation failed" : ec.error()));
    }
  }

  private void complete(Pending p, CompletionMessage c) {
    if (p.timeout != null) {
      p.timeout.cancel(false);
    }
    if (c.error() != null) {
      fail(p, new HubException(c.error()));
      return;
    }
    Object value = c.result();
    runAsync(() -> p.future.complete(value));
  }

  private void fail(Pending p, Throwable error) {
    if (p.timeout != null) {
      p.timeout.cancel(false);
    }
    runAsync(() -> p.future.completeExceptionally(error));
  }

  private Executor executor() {
    return task -> runAsync(task);
  }

  private void runAsync(Runnable task) {
    try {
      context.executor().execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return context.scheduler().schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }
}
