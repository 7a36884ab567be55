package org.jvmchat.hub.internal.lifetime;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmchat.hub.internal.connection.Fanout;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.SerializedHubMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one hub held by this process: by id, by user, and the members of each group;
 * and the local half of every send. Both lifetime managers keep their local state here ({@link
 * DefaultHubLifetimeManager} alone, the scale-out manager under its backplane subscriptions), so
 * there is one registry and one set of local send paths.
 *
 * <p>Every send takes one {@link SerializedHubMessage}: it is serialized at most once per protocol
 * whatever the number of receivers, and the writes of one send go out as one {@link
 * WriteScheduler.Batch} (each event loop woken once, after the send queued to all its receivers).
 * Thread-safe; a send racing a join or a leave may or may not reach that connection.
 */
public final class HubConnectionStore {
  private static final Logger log = LoggerFactory.getLogger(HubConnectionStore.class);

  private final String hubName;
  private final Map<String, HubConnectionContext> connections = new ConcurrentHashMap<>();
  // Each group's members partitioned by event loop, replaced on every change (Fanout.Members).
  private final Map<String, Fanout.Members> groups = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> groupsOfConnection = new ConcurrentHashMap<>();
  private final Map<String, Set<HubConnectionContext>> users = new ConcurrentHashMap<>();

  /**
   * @param hubName for log lines
   */
  public HubConnectionStore(String hubName) {
    this.hubName = hubName;
  }

  // ---------------------------------------------------------------- membership

  /** The local connection with that id, or {@code null}. */
  public HubConnectionContext get(String connectionId) {
    return connections.get(connectionId);
  }

  /** Registers a connection (and its user). */
  public void add(HubConnectionContext connection) {
    connections.put(connection.connectionId(), connection);
    String user = connection.userIdentifier();
    if (user != null) {
      users.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet(2)).add(connection);
    }
  }

  /**
   * Forgets a connection, its user entry and its group memberships.
   *
   * @return the groups it was a member of (empty when none)
   */
  public Set<String> remove(HubConnectionContext connection) {
    String id = connection.connectionId();
    connections.remove(id);
    Set<String> joined = groupsOfConnection.remove(id);
    if (joined != null) {
      for (String group : joined) {
        removeMember(group, connection);
      }
    }
    String user = connection.userIdentifier();
    if (user != null) {
      users.computeIfPresent(
          user,
          (u, set) -> {
            set.remove(connection);
            return set.isEmpty() ? null : set;
          });
    }
    return joined == null ? Set.of() : joined;
  }

  /**
   * Adds a local connection to a group.
   *
   * @return false when the connection disconnected meanwhile: the membership was not kept
   */
  public boolean addToGroup(HubConnectionContext connection, String group) {
    String id = connection.connectionId();
    groups.compute(group, (g, m) -> (m == null ? Fanout.Members.EMPTY : m).with(connection));
    groupsOfConnection.computeIfAbsent(id, i -> ConcurrentHashMap.newKeySet(2)).add(group);
    if (!connections.containsKey(id)) {
      // Disconnected meanwhile: undo, so no stale member stays behind.
      removeFromGroup(connection, group);
      return false;
    }
    return true;
  }

  /** Removes a local connection from a group (nothing when it is not a member). */
  public void removeFromGroup(HubConnectionContext connection, String group) {
    removeMember(group, connection);
    Set<String> joined = groupsOfConnection.get(connection.connectionId());
    if (joined != null) {
      joined.remove(group);
    }
  }

  private void removeMember(String group, HubConnectionContext connection) {
    groups.computeIfPresent(
        group,
        (g, m) -> {
          Fanout.Members left = m.without(connection);
          return left.isEmpty() ? null : left;
        });
  }

  // ---------------------------------------------------------------- snapshots

  /** The local connections, a snapshot. */
  public List<HubConnectionContext> connections() {
    return List.copyOf(connections.values());
  }

  /** The local connections of {@code userId}, a snapshot (empty when none). */
  public List<HubConnectionContext> connectionsOf(String userId) {
    Set<HubConnectionContext> set = users.get(userId);
    return set == null ? List.of() : List.copyOf(set);
  }

  /** The local members of {@code group}, a snapshot (empty when none). */
  public List<HubConnectionContext> members(String group) {
    Fanout.Members m = groups.get(group);
    return m == null ? List.of() : m.toList();
  }

  /** The groups a local connection is in, a snapshot (empty when none). */
  public Set<String> groupsOf(String connectionId) {
    Set<String> set = groupsOfConnection.get(connectionId);
    return set == null ? Set.of() : Set.copyOf(set);
  }

  /** Whether a local connection has this user. */
  public boolean hasUser(String userId) {
    Set<HubConnectionContext> set = users.get(userId);
    return set != null && !set.isEmpty();
  }

  /** Whether a local connection is a member of this group. */
  public boolean hasMembers(String group) {
    Fanout.Members m = groups.get(group);
    return m != null && !m.isEmpty();
  }

  /**
   * Closes each of {@code connections} not in {@code excluded} (may be null), with a Close carrying
   * {@code reason} (may be null) and no reconnect.
   */
  public static void close(
      Collection<HubConnectionContext> connections, Collection<String> excluded, String reason) {
    for (HubConnectionContext c : connections) {
      if (excluded == null || !excluded.contains(c.connectionId())) {
        c.close(reason, false);
      }
    }
  }

  // ---------------------------------------------------------------- local sends

  /** Every local connection except those in {@code excluded} (may be null). */
  public void sendAll(SerializedHubMessage message, Collection<String> excluded) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      for (HubConnectionContext c : connections.values()) {
        if (excluded == null || !excluded.contains(c.connectionId())) {
          deliver(c, message, batch);
        }
      }
    }
  }

  /**
   * One local connection.
   *
   * @return false when no local connection has that id
   */
  public boolean sendConnection(String connectionId, SerializedHubMessage message) {
    HubConnectionContext c = connections.get(connectionId);
    if (c == null) {
      return false;
    }
    deliver(c, message, null);
    return true;
  }

  /**
   * The local connections among {@code connectionIds}, each once.
   *
   * @return the ids that are not local (in the given order, without duplicates)
   */
  public Set<String> sendConnections(
      Collection<String> connectionIds, SerializedHubMessage message) {
    Set<String> missing = null;
    Set<String> seen = new HashSet<>();
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      for (String id : connectionIds) {
        if (!seen.add(id)) {
          continue;
        }
        HubConnectionContext c = connections.get(id);
        if (c != null) {
          deliver(c, message, batch);
        } else {
          if (missing == null) {
            missing = new LinkedHashSet<>();
          }
          missing.add(id);
        }
      }
    }
    return missing == null ? Set.of() : missing;
  }

  /**
   * The local members of {@code group} except those in {@code excluded} (may be null), per event
   * loop ({@link Fanout}): one task per loop that has members, a shared pre-framed WebSocket frame
   * per protocol.
   */
  public void sendGroup(String group, SerializedHubMessage message, Collection<String> excluded) {
    Fanout.Members members = groups.get(group);
    if (members == null) {
      return;
    }
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      Fanout.send(hubName, members, message, excluded, batch);
    }
  }

  /**
   * The local members of any of {@code groupNames}, each once even when in several of them, except
   * those in {@code excluded} (may be null).
   */
  public void sendGroups(
      Collection<String> groupNames, SerializedHubMessage message, Collection<String> excluded) {
    if (groupNames.size() == 1) {
      sendGroup(groupNames.iterator().next(), message, excluded);
      return;
    }
    Set<HubConnectionContext> sent = new HashSet<>();
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      for (String group : groupNames) {
        Fanout.Members members = groups.get(group);
        if (members == null) {
          continue;
        }
        members.forEach(
            c -> {
              if ((excluded == null || !excluded.contains(c.connectionId())) && sent.add(c)) {
                deliver(c, message, batch);
              }
            });
      }
    }
  }

  /** Every local connection of any of {@code userIds}. */
  public void sendUsers(Collection<String> userIds, SerializedHubMessage message) {
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      for (String user : userIds) {
        Set<HubConnectionContext> set = users.get(user);
        if (set != null) {
          for (HubConnectionContext c : set) {
            deliver(c, message, batch);
          }
        }
      }
    }
  }

  /** Every local connection of {@code userId}. */
  public void sendUser(String userId, SerializedHubMessage message) {
    Set<HubConnectionContext> set = users.get(userId);
    if (set == null) {
      return;
    }
    try (WriteScheduler.Batch batch = WriteScheduler.Batch.open()) {
      for (HubConnectionContext c : set) {
        deliver(c, message, batch);
      }
    }
  }

  private void deliver(
      HubConnectionContext c, SerializedHubMessage message, WriteScheduler.Batch batch) {
    if (message.message() != null) {
      // Serialized here: a failure is the sender's (e.g. an argument that cannot be serialized)
      // and reaches the sender.
      write(c, message, batch);
      return;
    }
    try {
      write(c, message, batch);
    } catch (RuntimeException e) {
      // Bytes from another instance, e.g. without this connection's protocol: one receiver
      // failing never keeps the message from the others.
      log.warn(
          "Hub {}: could not deliver to connection '{}': {}",
          hubName,
          c.connectionId(),
          e.getMessage());
    }
  }

  private static void write(
      HubConnectionContext c, SerializedHubMessage message, WriteScheduler.Batch batch) {
    if (batch != null) {
      batch.write(c, message);
    } else {
      c.write(message);
    }
  }
}
