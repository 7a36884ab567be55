package org.jvmchat.hub.internal.scaleout;

import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jvmchat.hub.internal.lifetime.ClientResults;
import org.jvmchat.hub.internal.lifetime.HubConnectionStore;
import org.jvmchat.hub.internal.lifetime.LocalUserGroups;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Ack;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientInvocation;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.ClientResult;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.CloseCommand;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.GroupCommand;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Invocation;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Payload;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.Probe;
import org.jvmchat.hub.internal.scaleout.ScaleoutCodec.UserGroupCommand;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.ScaleoutLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutOptions;
import org.jvmchat.hub.spi.UserGroupStore;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lifetime manager for one hub on one of several server instances that share a {@link Backplane}.
 * Its local connections and groups live in a {@link HubConnectionStore} (the same one the
 * in-process manager uses); this class adds the backplane half. Written once for every backplane:
 *
 * <ul>
 *   <li>Local first: a send writes to this instance's own connections directly and then publishes
 *       for the others, marked with this instance's name so the echo is ignored. A connection held
 *       here is never reached through the backplane, and local delivery happens even when the
 *       backplane is down.
 *   <li>One serialization per protocol: a message is serialized once per hub protocol, and those
 *       bytes go to local connections and into the published payload; receiving instances write
 *       them as they are.
 *   <li>Groups and users are backplane subscriptions held while a local connection is a member.
 *       Adding or removing a connection held elsewhere publishes a group command on that
 *       connection's channel and waits for the holder's acknowledgement ({@link
 *       ScaleoutOptions#groupAckTimeout()}); when no instance holds the connection it completes at
 *       once, like the in-process manager.
 *   <li>Client results: the call goes on the connection's channel with a return channel; zero
 *       receivers fails it with {@code Connection 'X' does not exist.}.
 *   <li>User groups: memberships live in the shared {@link ScaleoutOptions#userGroupStore()}; a
 *       change is stored, then published on the user's channel and acknowledged by every instance
 *       holding a connection of the user; a connection opening reads its user's groups.
 *   <li>Closing goes on the audience's channel; existence checks publish a probe on the
 *       connection's, user's or group's channel and read how many instances subscribe to it.
 * </ul>
 *
 * Sends never fail because of the backplane: a failed publish is counted, logged, and lost for the
 * other instances (at-most-once). Invocations and group changes that need another instance fail
 * instead. Timeouts run on the server's scheduler and client results complete on the server's
 * executor ({@link HubLifetimeManagerFactory.Context}); this class starts no thread.
 */
public final class ScaleoutHubLifetimeManager implements ScaleoutLifetimeManager {
  private static final Logger log = LoggerFactory.getLogger(ScaleoutHubLifetimeManager.class);
  private static final String SELF = "\u0000manager";

  private final String hubName;
  private final List<HubProtocol> protocols;
  private final Backplane backplane;
  private final ScaleoutOptions options;
  private final ScaleoutChannels channels;
  private final String serverName;
  private final HubConnectionStore store;
  private final ChannelSubscriptions subscriptions;
  private final ClientResults clientResults;
  private final RemoteClientResults remoteResults;
  private final GroupAcks groupAcks;
  private final ScaleoutPublisher publisher;
  private final RecentMessages recent;
  private final UserGroupStore userGroupStore;
  private final String userGroupScope;
  private final LocalUserGroups userGroups;
  private final Clock clock = Clock.systemUTC();

  private final AtomicLong messageIds = new AtomicLong();
  private final AtomicLong invalidPayloads = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> ready;

  /**
   * @param context the hub and the server's executor and scheduler (used, never shut down here)
   * @param backplane the caller's; closing this manager does not close it
   */
  public ScaleoutHubLifetimeManager(
      HubLifetimeManagerFactory.Context context, Backplane backplane, ScaleoutOptions options) {
    if (context.protocols().isEmpty()) {
      throw new IllegalArgumentException("A hub needs at least one protocol");
    }
    this.hubName = context.hubName();
    this.protocols = context.protocols();
    this.backplane = backplane;
    this.options = options;
    this.channels = new ScaleoutChannels(options.channelPrefix(), hubName);
    this.serverName = newServerName();
    this.store = new HubConnectionStore(hubName);
    ScheduledExecutorService scheduler = context.scheduler();
    this.subscriptions = new ChannelSubscriptions(backplane);
    // Client results complete on the server's executor, never on the backplane's I/O thread.
    this.clientResults = new ClientResults(scheduler, context.executor());
    this.publisher = new ScaleoutPublisher(hubName, backplane);
    this.groupAcks = new GroupAcks(scheduler);
    this.remoteResults =
        new RemoteClientResults(
            hubName,
            this.protocols,
            channels,
            serverName,
            scheduler,
            clientResults,
            publisher,
            store::get);
    this.recent = new RecentMessages(options.deduplicationWindow());
    this.userGroupStore = options.userGroupStore();
    this.userGroupScope = options.channelPrefix() + hubName;
    this.userGroups =
        new LocalUserGroups(
            userGroupScope,
            store,
            userGroupStore,
            scheduler,
            new LocalUserGroups.Membership() {
              @Override
              public CompletableFuture<Void> join(HubConnectionContext c, String group) {
                return addLocal(c, group);
              }

              @Override
              public CompletableFuture<Void> leave(HubConnectionContext c, String group) {
                return removeLocal(c, group);
              }
            },
            clock);
    this.ready =
        CompletableFuture.allOf(
                subscriptions.acquire(channels.all(), SELF, handler(channels.all(), this::onAll)),
                subscriptions.acquire(channels.ack(serverName), SELF, handler("ack", this::onAck)),
                subscriptions.acquire(
                    channels.returns(serverName), SELF, handler("return", this::onReturn)))
            .handle(
                (v, e) -> {
                  if (e != null) {
                    log.warn(
                        "Hub {}: subscribing to the backplane failed: {}", hubName, e.toString());
                  }
                  return null;
                });
  }

  private static String newServerName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      host = "jvmchat";
    }
    host = host.replaceAll("[^A-Za-z0-9.-]", "-");
    return host + "_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** This instance's name on the backplane (its ack and return channels). */
  public String serverName() {
    return serverName;
  }

  @Override
  public long publishFailures() {
    return publisher.failures();
  }

  @Override
  public long invalidPayloads() {
    return invalidPayloads.get();
  }

  // ---------------------------------------------------------------- connections

  @Override
  public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
    String id = connection.connectionId();
    store.add(connection);
    List<CompletableFuture<Void>> subscribed = new ArrayList<>(2);
    subscribed.add(
        subscriptions.acquire(
            channels.connection(id), id, handler("connection", p -> onConnection(id, p))));
    String user = connection.userIdentifier();
    if (user != null) {
      subscribed.add(
          subscriptions.acquire(channels.user(user), id, handler("user", p -> onUser(user, p))));
    }
    // Subscribed to the user's channel first, then the stored groups read: a user group change
    // made meanwhile is either in the store already or arrives on the channel.
    return settle(subscribed).thenCompose(v -> userGroups.connected(connection));
  }

  @Override
  public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
    String id = connection.connectionId();
    List<CompletableFuture<Void>> released = new ArrayList<>();
    for (String group : store.remove(connection)) {
      released.add(subscriptions.release(channels.group(group), id));
    }
    String user = connection.userIdentifier();
    if (user != null) {
      released.add(subscriptions.release(channels.user(user), id));
    }
    released.add(subscriptions.release(channels.connection(id), id));
    userGroups.disconnected(connection);
    clientResults.connectionClosed(id);
    remoteResults.connectionClosed(id);
    return settle(released);
  }

  // ---------------------------------------------------------------- sends

  @Override
  public CompletableFuture<Void> sendAll(
      String method, Object[] args, Collection<String> excluded) {
    SerializedHubMessage message = invocation(method, args);
    Map<String, byte[]> bytes = serializeAll(message);
    store.sendAll(message, excluded);
    return publisher.publishQuietly(
        channels.all(), new Invocation(serverName, list(excluded), bytes, 0, List.of()));
  }

  @Override
  public CompletableFuture<Void> sendConnection(String connectionId, String method, Object[] args) {
    return sendConnections(List.of(connectionId), method, args);
  }

  @Override
  public CompletableFuture<Void> sendConnections(
      Collection<String> connectionIds, String method, Object[] args) {
    SerializedHubMessage message = invocation(method, args);
    Set<String> elsewhere = store.sendConnections(connectionIds, message);
    if (elsewhere.isEmpty()) {
      return done();
    }
    byte[] payload =
        ScaleoutCodec.encode(
            new Invocation(serverName, List.of(), serializeAll(message), 0, List.of()));
    List<CompletableFuture<Void>> published = new ArrayList<>(elsewhere.size());
    for (String id : elsewhere) {
      published.add(publisher.publishQuietly(channels.connection(id), payload));
    }
    return settle(published);
  }

  @Override
  public CompletableFuture<Void> sendGroup(
      String groupName, String method, Object[] args, Collection<String> excluded) {
    SerializedHubMessage message = invocation(method, args);
    Map<String, byte[]> bytes = serializeAll(message);
    store.sendGroup(groupName, message, excluded);
    return publisher.publishQuietly(
        channels.group(groupName), new Invocation(serverName, list(excluded), bytes, 0, List.of()));
  }

  @Override
  public CompletableFuture<Void> sendGroups(
      Collection<String> groupNames, String method, Object[] args) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(groupNames));
    if (distinct.isEmpty()) {
      return done();
    }
    if (distinct.size() == 1) {
      return sendGroup(distinct.get(0), method, args, List.of());
    }
    SerializedHubMessage message = invocation(method, args);
    store.sendGroups(distinct, message, null);
    // One payload for every group channel; an instance with members in several of the groups
    // delivers on the first arrival and drops the others (deduplication window).
    byte[] payload =
        ScaleoutCodec.encode(
            new Invocation(
                serverName,
                List.of(),
                serializeAll(message),
                messageIds.incrementAndGet(),
                distinct));
    List<CompletableFuture<Void>> published = new ArrayList<>();
    for (String group : distinct) {
      published.add(publisher.publishQuietly(channels.group(group), payload));
    }
    return settle(published);
  }

  @Override
  public CompletableFuture<Void> sendUser(String userId, String method, Object[] args) {
    return sendUsers(List.of(userId), method, args);
  }

  @Override
  public CompletableFuture<Void> sendUsers(
      Collection<String> userIds, String method, Object[] args) {
    SerializedHubMessage message = invocation(method, args);
    byte[] payload =
        ScaleoutCodec.encode(
            new Invocation(serverName, List.of(), serializeAll(message), 0, List.of()));
    Set<String> distinct = new LinkedHashSet<>(userIds);
    store.sendUsers(distinct, message);
    List<CompletableFuture<Void>> published = new ArrayList<>(distinct.size());
    for (String user : distinct) {
      published.add(publisher.publishQuietly(channels.user(user), payload));
    }
    return settle(published);
  }

  // ---------------------------------------------------------------- groups

  @Override
  public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      return addLocal(c, groupName);
    }
    return groupCommand(ScaleoutCodec.ACTION_ADD, connectionId, groupName);
  }

  @Override
  public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      return removeLocal(c, groupName);
    }
    return groupCommand(ScaleoutCodec.ACTION_REMOVE, connectionId, groupName);
  }

  private CompletableFuture<Void> addLocal(HubConnectionContext c, String group) {
    String id = c.connectionId();
    if (!store.addToGroup(c, group)) {
      return done(); // disconnected meanwhile: not kept, nothing to subscribe
    }
    CompletableFuture<Void> subscribed =
        subscriptions.acquire(channels.group(group), id, handler("group", p -> onGroup(group, p)));
    if (store.get(id) == null) {
      // Disconnected while subscribing: undo, so no stale member or subscription stays behind.
      return removeLocal(c, group);
    }
    return settle(List.of(subscribed));
  }

  private CompletableFuture<Void> removeLocal(HubConnectionContext c, String group) {
    store.removeFromGroup(c, group);
    return settle(List.of(subscriptions.release(channels.group(group), c.connectionId())));
  }

  @Override
  public CompletableFuture<Void> removeFromAllGroups(String connectionId) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      return removeAllLocal(c);
    }
    return groupCommand(ScaleoutCodec.ACTION_REMOVE_ALL, connectionId, "");
  }

  private CompletableFuture<Void> removeAllLocal(HubConnectionContext c) {
    List<CompletableFuture<Void>> left = new ArrayList<>();
    for (String group : store.groupsOf(c.connectionId())) {
      left.add(removeLocal(c, group));
    }
    return settle(left);
  }

  private CompletableFuture<Void> groupCommand(int action, String connectionId, String group) {
    String what =
        switch (action) {
          case ScaleoutCodec.ACTION_ADD -> "adding it to group '" + group + "'";
          case ScaleoutCodec.ACTION_REMOVE -> "removing it from group '" + group + "'";
          default -> "removing it from all groups";
        };
    return ready.thenCompose(
        v -> {
          long id = groupAcks.nextId();
          Duration timeout = options.groupAckTimeout();
          CompletableFuture<Void> ack =
              groupAcks.await(
                  id,
                  timeout,
                  () ->
                      new HubException(
                          "Timed out after "
                              + timeout.toMillis()
                              + " ms waiting for the server holding connection '"
                              + connectionId
                              + "' to acknowledge "
                              + what
                              + "."),
                  this::closedException);
          publisher
              .publish(
                  channels.connection(connectionId),
                  ScaleoutCodec.encode(
                      new GroupCommand(
                          serverName, id, action, group, connectionId, channels.ack(serverName))))
              .whenComplete(
                  (receivers, e) -> {
                    if (e != null) {
                      groupAcks.fail(
                          id,
                          new HubException(
                              "Could not reach the server holding connection '"
                                  + connectionId
                                  + "' for "
                                  + what
                                  + ": the backplane is unavailable.",
                              e));
                    } else if (receivers == 0) {
                      // No instance holds the connection: nothing to do, as in-process.
                      groupAcks.complete(id);
                    }
                  });
          return ack;
        });
  }

  // ---------------------------------------------------------------- user groups

  @Override
  public CompletableFuture<Void> addUserToGroup(String userId, String groupName, Duration ttl) {
    if (ttl != null && ttl.isNegative()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("The time to live must not be negative: " + ttl));
    }
    if (ttl != null && ttl.isZero()) {
      return userGroupCommand(ScaleoutCodec.ACTION_ADD, userId, groupName, 0);
    }
    if (userGroupStore == null) {
      return CompletableFuture.failedFuture(noUserGroupStore());
    }
    long expires =
        clock.instant().plus(ttl == null ? UserGroupStore.LONGEST_MEMBERSHIP : ttl).toEpochMilli();
    // Stored first: a connection of the user opening meanwhile reads it, or gets the command.
    return userGroupStore
        .add(userGroupScope, userId, groupName, ttl)
        .thenCompose(v -> userGroupCommand(ScaleoutCodec.ACTION_ADD, userId, groupName, expires));
  }

  @Override
  public CompletableFuture<Void> removeUserFromGroup(String userId, String groupName) {
    CompletableFuture<?> stored =
        userGroupStore == null ? done() : userGroupStore.remove(userGroupScope, userId, groupName);
    return stored.thenCompose(
        v -> userGroupCommand(ScaleoutCodec.ACTION_REMOVE, userId, groupName, 0));
  }

  @Override
  public CompletableFuture<Void> removeUserFromAllGroups(String userId) {
    CompletableFuture<?> stored =
        userGroupStore == null ? done() : userGroupStore.removeAll(userGroupScope, userId);
    return stored.thenCompose(
        v -> userGroupCommand(ScaleoutCodec.ACTION_REMOVE_ALL, userId, "", 0));
  }

  @Override
  public CompletableFuture<Boolean> isUserInGroup(String userId, String groupName) {
    if (userGroupStore == null) {
      return CompletableFuture.failedFuture(noUserGroupStore());
    }
    return userGroupStore
        .groups(userGroupScope, userId)
        .thenApply(groups -> groups.containsKey(groupName));
  }

  private HubException noUserGroupStore() {
    return new HubException(
        "User groups of hub '"
            + hubName
            + "' need a store shared by the instances (ScaleoutOptions.userGroupStore).");
  }

  private CompletableFuture<Void> applyUserGroupCommand(
      String user, int action, String group, long expiresAtMillis) {
    return switch (action) {
      case ScaleoutCodec.ACTION_ADD ->
          userGroups.join(
              user, group, expiresAtMillis == 0 ? null : Instant.ofEpochMilli(expiresAtMillis));
      case ScaleoutCodec.ACTION_REMOVE -> userGroups.leave(user, group);
      default -> userGroups.leaveAll(user);
    };
  }

  /**
   * Applies a user group change here, then on every other instance holding a connection of the user
   * (the user's channel), and waits for each receiver's acknowledgement.
   */
  private CompletableFuture<Void> userGroupCommand(
      int action, String user, String group, long expiresAtMillis) {
    CompletableFuture<Void> local = applyUserGroupCommand(user, action, group, expiresAtMillis);
    CompletableFuture<Void> remote =
        ready.thenCompose(
            v -> {
              long id = groupAcks.nextId();
              Duration timeout = options.groupAckTimeout();
              CompletableFuture<Void> acks =
                  groupAcks.awaitCounted(
                      id,
                      timeout,
                      () ->
                          new HubException(
                              "Timed out after "
                                  + timeout.toMillis()
                                  + " ms waiting for the servers holding connections of user '"
                                  + user
                                  + "' to apply a group change."),
                      this::closedException);
              publisher
                  .publish(
                      channels.user(user),
                      ScaleoutCodec.encode(
                          new UserGroupCommand(
                              serverName,
                              id,
                              action,
                              group,
                              channels.ack(serverName),
                              expiresAtMillis)))
                  .whenComplete(
                      (receivers, e) -> {
                        if (e != null) {
                          groupAcks.fail(
                              id,
                              new HubException(
                                  "Could not reach the servers holding connections of user '"
                                      + user
                                      + "': the backplane is unavailable.",
                                  e));
                        } else {
                          groupAcks.expect(id, receivers);
                        }
                      });
              return acks;
            });
    return CompletableFuture.allOf(local, remote);
  }

  // ---------------------------------------------------------------- closing, existence

  @Override
  public CompletableFuture<Boolean> closeConnection(String connectionId, String reason) {
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      c.close(reason, false);
      return CompletableFuture.completedFuture(true);
    }
    return publisher
        .publish(
            channels.connection(connectionId),
            ScaleoutCodec.encode(new CloseCommand(serverName, List.of(), reason)))
        .thenApply(receivers -> receivers > 0);
  }

  @Override
  public CompletableFuture<Void> closeAll(Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.connections(), excluded, reason);
    return closeElsewhere(channels.all(), excluded, reason);
  }

  @Override
  public CompletableFuture<Void> closeGroup(
      String groupName, Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.members(groupName), excluded, reason);
    return closeElsewhere(channels.group(groupName), excluded, reason);
  }

  @Override
  public CompletableFuture<Void> closeUser(
      String userId, Collection<String> excluded, String reason) {
    HubConnectionStore.close(store.connectionsOf(userId), excluded, reason);
    return closeElsewhere(channels.user(userId), excluded, reason);
  }

  private CompletableFuture<Void> closeElsewhere(
      String channel, Collection<String> excluded, String reason) {
    return publisher
        .publish(
            channel, ScaleoutCodec.encode(new CloseCommand(serverName, list(excluded), reason)))
        .thenApply(receivers -> null);
  }

  @Override
  public CompletableFuture<Boolean> connectionExists(String connectionId) {
    return store.get(connectionId) != null
        ? CompletableFuture.completedFuture(true)
        : probe(channels.connection(connectionId));
  }

  @Override
  public CompletableFuture<Boolean> userExists(String userId) {
    return store.hasUser(userId)
        ? CompletableFuture.completedFuture(true)
        : probe(channels.user(userId));
  }

  @Override
  public CompletableFuture<Boolean> groupExists(String groupName) {
    return store.hasMembers(groupName)
        ? CompletableFuture.completedFuture(true)
        : probe(channels.group(groupName));
  }

  /**
   * Whether some instance subscribes to {@code channel}: an instance subscribes to a connection's,
   * a user's or a group's channel exactly while it holds that connection, a connection of that
   * user, or a member of that group, and a publish reports how many subscribers received it.
   */
  private CompletableFuture<Boolean> probe(String channel) {
    return publisher
        .publish(channel, ScaleoutCodec.encode(new Probe()))
        .handle(
            (receivers, e) -> {
              if (e != null) {
                throw new java.util.concurrent.CompletionException(
                    new HubException(
                        "Could not ask the other servers: the backplane is unavailable.", e));
              }
              return receivers > 0;
            });
  }

  // ---------------------------------------------------------------- client results

  @Override
  public <T> CompletableFuture<T> invokeConnection(
      String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedException());
    }
    HubConnectionContext c = store.get(connectionId);
    if (c != null) {
      return clientResults.invoke(connectionId, c, method, args, resultType, timeout);
    }
    return remoteResults.invoke(ready, connectionId, method, args, resultType, timeout);
  }

  @Override
  public void setConnectionResult(String connectionId, CompletionMessage result) {
    if (!clientResults.complete(connectionId, result)
        && !remoteResults.complete(connectionId, result)) {
      log.debug(
          "Hub {}: ignoring a result for unknown invocation '{}' of connection '{}'",
          hubName,
          result.invocationId(),
          connectionId);
    }
  }

  @Override
  public Type resultType(String connectionId, String invocationId) {
    Type type = clientResults.type(connectionId, invocationId);
    if (type != null) {
      return type;
    }
    // Bound generically here, re-serialized, and bound to the caller's type where it waits.
    return remoteResults.awaits(connectionId, invocationId) ? Object.class : null;
  }

  // ---------------------------------------------------------------- receiving

  private Consumer<byte[]> handler(String what, Consumer<Payload> target) {
    return bytes -> {
      Payload payload;
      try {
        payload = ScaleoutCodec.decode(bytes);
      } catch (Exception e) {
        invalidPayloads.incrementAndGet();
        log.warn("Hub {}: dropped an unreadable {} payload: {}", hubName, what, e.getMessage());
        return;
      }
      if (payload == null || closed.get()) {
        return;
      }
      try {
        target.accept(payload);
      } catch (RuntimeException e) {
        log.error("Hub {}: handling a {} payload failed", hubName, what, e);
      }
    };
  }

  private void onAll(Payload payload) {
    if (payload instanceof Invocation m && !m.origin().equals(serverName)) {
      store.sendAll(SerializedHubMessage.ofSerialized(m.messages()), m.excluded());
    } else if (payload instanceof CloseCommand m && !m.origin().equals(serverName)) {
      HubConnectionStore.close(store.connections(), m.excluded(), m.reason());
    }
  }

  private void onGroup(String group, Payload payload) {
    if (payload instanceof CloseCommand m && !m.origin().equals(serverName)) {
      HubConnectionStore.close(store.members(group), m.excluded(), m.reason());
      return;
    }
    if (!(payload instanceof Invocation m) || m.origin().equals(serverName)) {
      return;
    }
    SerializedHubMessage message = SerializedHubMessage.ofSerialized(m.messages());
    if (m.groups().isEmpty()) {
      store.sendGroup(group, message, m.excluded());
    } else if (recent.firstSeen(m.origin() + '\u0000' + m.messageId())) {
      store.sendGroups(m.groups(), message, m.excluded());
    }
  }

  private void onUser(String user, Payload payload) {
    if (payload instanceof Invocation m && !m.origin().equals(serverName)) {
      store.sendUser(user, SerializedHubMessage.ofSerialized(m.messages()));
    } else if (payload instanceof CloseCommand m && !m.origin().equals(serverName)) {
      HubConnectionStore.close(store.connectionsOf(user), m.excluded(), m.reason());
    } else if (payload instanceof UserGroupCommand m) {
      // Applied by every instance holding a connection of the user, this one included (applying
      // twice is harmless), and acknowledged: the sender awaits as many acks as receivers.
      applyUserGroupCommand(user, m.action(), m.group(), m.expiresAtMillis())
          .whenComplete((v, e) -> publisher.publishQuietly(m.ackChannel(), new Ack(m.commandId())));
    }
  }

  private void onConnection(String connectionId, Payload payload) {
    HubConnectionContext c = store.get(connectionId);
    if (payload instanceof Invocation m) {
      store.sendConnection(connectionId, SerializedHubMessage.ofSerialized(m.messages()));
    } else if (payload instanceof ClientInvocation m) {
      remoteResults.onClientInvocation(connectionId, c, m);
    } else if (payload instanceof GroupCommand m) {
      CompletableFuture<Void> applied;
      if (c == null) {
        applied = done();
      } else if (m.action() == ScaleoutCodec.ACTION_ADD) {
        applied = addLocal(c, m.group());
      } else if (m.action() == ScaleoutCodec.ACTION_REMOVE_ALL) {
        applied = removeAllLocal(c);
      } else {
        applied = removeLocal(c, m.group());
      }
      applied.whenComplete(
          (v, e) -> publisher.publishQuietly(m.ackChannel(), new Ack(m.commandId())));
    } else if (payload instanceof CloseCommand m && c != null && !m.origin().equals(serverName)) {
      HubConnectionStore.close(List.of(c), m.excluded(), m.reason());
    }
  }

  private void onAck(Payload payload) {
    if (payload instanceof Ack m) {
      groupAcks.ack(m.commandId());
    }
  }

  private void onReturn(Payload payload) {
    if (payload instanceof ClientResult m) {
      remoteResults.onReturn(m);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static SerializedHubMessage invocation(String method, Object[] args) {
    return new SerializedHubMessage(InvocationMessage.send(method, args));
  }

  private Map<String, byte[]> serializeAll(SerializedHubMessage message) {
    Map<String, byte[]> bytes = new LinkedHashMap<>(4);
    for (HubProtocol p : protocols) {
      bytes.put(p.name(), message.bytes(p));
    }
    return bytes;
  }

  private static List<String> list(Collection<String> values) {
    return values == null || values.isEmpty() ? List.of() : List.copyOf(values);
  }

  private CompletableFuture<Void> settle(List<CompletableFuture<Void>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .handle(
            (v, e) -> {
              if (e != null) {
                log.warn(
                    "Hub {}: a backplane subscription change failed: {}", hubName, e.toString());
              }
              return null;
            });
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private HubException closedException() {
    return new HubException("The hub lifetime manager of '" + hubName + "' was closed.");
  }

  @Override
  public boolean isHealthy() {
    return backplane.isConnected();
  }

  /**
   * Unsubscribes this hub's channels and fails what is still pending here. The backplane itself is
   * the caller's and stays open. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    userGroups.close();
    CompletableFuture<Void> unsubscribed = subscriptions.closeAll();
    groupAcks.failAll(closedException());
    remoteResults.failPendingCalls();
    try {
      unsubscribed.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Hub {}: unsubscribing on close did not finish: {}", hubName, e.toString());
    }
  }

  @Override
  public String toString() {
    return "ScaleoutHubLifetimeManager[hub=" + hubName + ", server=" + serverName + "]";
  }
}
