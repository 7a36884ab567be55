package org.jvmchat.server.hub;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.HubConnectionAcceptor;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.HubLifetimeManagerFactory;
import org.jvmchat.hub.spi.NegotiateRedirect;
import org.jvmchat.persistence.ChatMessage;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.MessagesAfter;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.server.model.MessageDto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room messages reach each connection in {@code seq} order, exactly once, whatever the backplane
 * did: every connection of the hub is wrapped (a lifetime-manager decorator, so sends from every
 * instance pass through it) and remembers, per room, the last {@code seq} it was given. A {@code
 * ReceiveMessage} at or below it is a duplicate and dropped; one above the next is held while the
 * missing ones are read from the store (on the hub executor, never on an event loop) and written
 * first. A client that reconnects (to any instance) and says the last {@code seq} it saw per room
 * ({@code lastSeq} on the connect URL, {@link #LAST_SEQ_CLAIM}) is given what the room received
 * since, before anything newer.
 *
 * <p>The {@code (roomId, seq)} of a message sent on another instance is read from its JSON bytes
 * (every instance serializes for every protocol), not by parsing it: keys of a flat object, which
 * no string value can fake since quotes inside values are escaped.
 */
public final class RoomDelivery {
  private static final Logger log = LoggerFactory.getLogger(RoomDelivery.class);

  /** The user claim in which the authenticator passes the connect URL's {@code lastSeq}. */
  public static final String LAST_SEQ_CLAIM = "jvmchat:lastSeq";

  /** The connect URL's query parameter: {@code roomId:seq} pairs separated by commas. */
  public static final String LAST_SEQ_PARAMETER = "lastSeq";

  private static final int PAGE = 200;
  private static final int FILL_RETRIES = 20;
  private static final long RETRY_MILLIS = 100;
  private static final byte[] TARGET =
      "\"target\":\"ReceiveMessage\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ROOM_ID = "\"roomId\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

  private final ChatStore store;
  private final Map<String, Ordered> connections = new ConcurrentHashMap<>();
  private final AtomicLong filled = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile Executor executor = Runnable::run;
  private volatile ScheduledExecutorService scheduler;
  private volatile HubProtocol json;

  public RoomDelivery(ChatStore store) {
    this.store = store;
  }

  private volatile boolean active;

  /**
   * Whether connections are wrapped (a backplane is used): then a join or connect must read the
   * room's newest seq ({@link #latestSeq}, blocking) and may catch up; otherwise every method here
   * is a no-op.
   */
  public boolean active() {
    return active;
  }

  /** Wraps {@code inner}, the scale-out manager's factory. */
  public HubLifetimeManagerFactory wrap(HubLifetimeManagerFactory inner) {
    active = true;
    return context -> {
      executor = context.executor();
      scheduler = context.scheduler();
      for (HubProtocol p : context.protocols()) {
        if (p.name().equals("json")) {
          json = p;
        }
      }
      return new Manager(inner.create(context));
    };
  }

  /** Messages read from the store to fill gaps, duplicates dropped, gaps given up on. */
  public long filled() {
    return filled.get();
  }

  public long duplicatesDropped() {
    return duplicates.get();
  }

  public long gapsSkipped() {
    return skipped.get();
  }

  /**
   * {@code authenticator} whose users also carry the request's {@code lastSeq} query parameter (at
   * most 16,384 characters) as the claim {@link #LAST_SEQ_CLAIM}: negotiate and the transports'
   * requests carry the connect URL's query, and the connection keeps the user of the request that
   * opened it. Checks without blocking where {@code authenticator} does (a {@link
   * org.jvmchat.hub.http.NonBlockingAuthenticator}).
   */
  public static org.jvmchat.hub.http.Authenticator carryingLastSeq(
      org.jvmchat.hub.http.Authenticator authenticator) {
    return new org.jvmchat.hub.http.NonBlockingAuthenticator() {
      @Override
      public HubUser authenticate(org.jvmchat.hub.http.HttpRequest request)
          throws org.jvmchat.hub.http.UnauthorizedException {
        return withLastSeq(request, authenticator.authenticate(request));
      }

      @Override
      public HubUser tryAuthenticate(org.jvmchat.hub.http.HttpRequest request)
          throws org.jvmchat.hub.http.UnauthorizedException,
              org.jvmchat.hub.http.WouldBlockException {
        if (authenticator instanceof org.jvmchat.hub.http.NonBlockingAuthenticator nonBlocking) {
          return withLastSeq(request, nonBlocking.tryAuthenticate(request));
        }
        throw org.jvmchat.hub.http.WouldBlockException.INSTANCE;
      }
    };
  }

  private static HubUser withLastSeq(org.jvmchat.hub.http.HttpRequest request, HubUser user) {
    String lastSeq = request.query(LAST_SEQ_PARAMETER);
    if (user == null || lastSeq == null || lastSeq.isBlank() || lastSeq.length() > 16_384) {
      return user;
    }
    Map<String, Object> claims = new HashMap<>(user.claims());
    claims.put(LAST_SEQ_CLAIM, lastSeq);
    return new HubUser(user.id(), user.name(), claims);
  }

  /**
   * The last {@code seq} per room the client says it saw, from the connect URL's {@code lastSeq}
   * ({@code room1:12,room2:40}); malformed pairs are ignored.
   */
  public static Map<String, Long> lastSeqs(HubUser user) {
    Object value = user == null ? null : user.claims().get(LAST_SEQ_CLAIM);
    Map<String, Long> result = new HashMap<>();
    if (!(value instanceof String text) || text.isBlank()) {
      return result;
    }
    for (String pair : text.split(",")) {
      int colon = pair.lastIndexOf(':');
      if (colon <= 0 || colon == pair.length() - 1 || result.size() >= 1000) {
        continue;
      }
      try {
        long seq = Long.parseLong(pair.substring(colon + 1).trim());
        if (seq >= 0) {
          result.put(pair.substring(0, colon).trim(), seq);
        }
      } catch (NumberFormatException e) {
        // ignored: a client's bad pair affects only its own replay
      }
    }
    return result;
  }

  /**
   * The room's newest {@code seq} in the store (0 for none), when connections are wrapped; -1
   * otherwise (nothing to do). Blocking: call it on the hub executor.
   */
  public long latestSeq(String roomId) {
    if (!active) {
      return -1;
    }
    var items = store.history(roomId, null, 1).items();
    return items.isEmpty() ? 0 : items.get(items.size() - 1).seq();
  }

  /**
   * Before the connection is put in the room's group: it was last given {@code seq} of the room
   * (the client's {@code lastSeq}, or the room's newest at the join, {@link #latestSeq}, so that
   * messages of the room still on their way from another instance are not taken for duplicates of a
   * newer local one). Ignored when the connection already got messages of the room, or when {@code
   * seq} is negative.
   */
  public void resumeFrom(String connectionId, String roomId, long seq) {
    if (seq < 0) {
      return;
    }
    Ordered c = connections.get(connectionId);
    if (c != null) {
      c.resumeFrom(roomId, seq);
    }
  }

  /**
   * After the connection joined the room's group: give it what it missed since its resume point.
   */
  public void catchUp(String connectionId, String roomId) {
    Ordered c = connections.get(connectionId);
    if (c != null) {
      c.catchUp(roomId);
    }
  }

  /** The connection left the room: its next message of the room starts afresh. */
  public void forget(String connectionId, String roomId) {
    Ordered c = connections.get(connectionId);
    if (c != null) {
      c.forget(roomId);
    }
  }

  private record RoomSeq(String roomId, long seq) {}

  private RoomSeq roomSeq(SerializedHubMessage m) {
    HubMessage message = m.message();
    if (message != null) {
      return message instanceof InvocationMessage i
              && i.target().equals("ReceiveMessage")
              && !i.arguments().isEmpty()
              && i.arguments().get(0) instanceof MessageDto dto
          ? new RoomSeq(dto.roomId(), dto.seq())
          : null;
    }
    HubProtocol p = json;
    if (p == null) {
      return null;
    }
    byte[] b;
    try {
      b = m.bytes(p);
    } catch (RuntimeException e) {
      return null;
    }
    int t = indexOf(b, TARGET, 0);
    if (t < 0) {
      return null;
    }
    int r = indexOf(b, ROOM_ID, t);
    int s = indexOf(b, SEQ, t);
    if (r < 0 || s < 0) {
      return null;
    }
    int start = r + ROOM_ID.length;
    int end = start;
    while (end < b.length && b[end] != '"') {
      if (b[end] == '\\') {
        return null;
      }
      end++;
    }
    long seq = 0;
    int i = s + SEQ.length;
    int digits = 0;
    while (i < b.length && b[i] >= '0' && b[i] <= '9' && digits < 18) {
      seq = seq * 10 + (b[i++] - '0');
      digits++;
    }
    if (digits == 0 || end >= b.length) {
      return null;
    }
    return new RoomSeq(new String(b, start, end - start, StandardCharsets.UTF_8), seq);
  }

  private static int indexOf(byte[] b, byte[] pattern, int from) {
    outer:
    for (int i = Math.max(0, from); i <= b.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (b[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** One room of one connection. Guarded by its {@link Ordered}. */
  private static final class RoomState {
    long last;
    final TreeMap<Long, SerializedHubMessage> held = new TreeMap<>();
    boolean filling;
    int retries;

    RoomState(long last) {
      this.last = last;
    }
  }

  /** A connection that is given each room's messages in seq order, once. */
  private final class Ordered implements HubConnectionContext {
    private final HubConnectionContext inner;
    private final Map<String, RoomState> rooms = new HashMap<>();

    Ordered(HubConnectionContext inner) {
      this.inner = inner;
    }

    @Override
    public String connectionId() {
      return inner.connectionId();
    }

    @Override
    public HubUser user() {
      return inner.user();
    }

    @Override
    public HubProtocol protocol() {
      return inner.protocol();
    }

    @Override
    public void close(String error, boolean allowReconnect) {
      inner.close(error, allowReconnect);
    }

    @Override
    public boolean write(SerializedHubMessage message) {
      RoomSeq rs = roomSeq(message);
      if (rs == null || rs.seq() <= 0) {
        return inner.write(message); // not a room message, or a notice outside the sequence (seq 0)
      }
      synchronized (this) {
        RoomState s = rooms.computeIfAbsent(rs.roomId(), r -> new RoomState(rs.seq() - 1));
        if (rs.seq() <= s.last) {
          duplicates.incrementAndGet();
          return true;
        }
        if (rs.seq() == s.last + 1) {
          s.last = rs.seq();
          boolean open = inner.write(message);
          drain(s);
          return open;
        }
        s.held.put(rs.seq(), message);
        fill(rs.roomId(), s, 0);
        return true;
      }
    }

    synchronized void resumeFrom(String roomId, long seq) {
      rooms.putIfAbsent(roomId, new RoomState(seq));
    }

    synchronized void catchUp(String roomId) {
      RoomState s = rooms.get(roomId);
      if (s != null) {
        fill(roomId, s, 0);
      }
    }

    synchronized void forget(String roomId) {
      rooms.remove(roomId);
    }

    // Holding this: writes what follows s.last without a gap.
    private void drain(RoomState s) {
      while (!s.held.isEmpty() && s.held.firstKey() <= s.last + 1) {
        Map.Entry<Long, SerializedHubMessage> e = s.held.pollFirstEntry();
        if (e.getKey() == s.last + 1) {
          s.last = e.getKey();
          inner.write(e.getValue());
        } else {
          duplicates.incrementAndGet();
        }
      }
    }

    // Holding this: reads what follows s.last from the store, on the executor.
    private void fill(String roomId, RoomState s, long delayMillis) {
      if (s.filling) {
        return;
      }
      s.filling = true;
      long after = s.last;
      Runnable read =
          () -> {
            MessagesAfter page;
            try {
              page = store.historyAfter(roomId, after, PAGE);
            } catch (RuntimeException e) {
              log.warn("Reading room {} after seq {} failed: {}", roomId, after, e.toString());
              page = null;
            }
            pageRead(roomId, s, page);
          };
      ScheduledExecutorService sch = scheduler;
      try {
        if (delayMillis > 0 && sch != null) {
          sch.schedule(() -> executor.execute(read), delayMillis, TimeUnit.MILLISECONDS);
        } else {
          executor.execute(read);
        }
      } catch (RuntimeException e) {
        s.filling = false;
        log.warn("Could not read room {} to fill a gap: {}", roomId, e.toString());
      }
    }

    private synchronized void pageRead(String roomId, RoomState s, MessagesAfter page) {
      s.filling = false;
      if (rooms.get(roomId) != s) {
        return; // forgotten meanwhile
      }
      if (page != null) {
        for (ChatMessage m : page.items()) {
          if (m.seq() == s.last + 1) {
            s.last = m.seq();
            filled.incrementAndGet();
            inner.write(
                new SerializedHubMessage(
                    InvocationMessage.send("ReceiveMessage", MessageDto.of(m))));
          } else if (m.seq() > s.last + 1) {
            break;
          }
        }
        drain(s);
        if (page.nextAfter() != null) {
          s.retries = 0;
          fill(roomId, s, 0);
          return;
        }
      }
      if (s.held.isEmpty()) {
        s.retries = 0;
        return;
      }
      if (s.retries++ < FILL_RETRIES) {
        fill(roomId, s, RETRY_MILLIS); // not visible in the store yet
        return;
      }
      long next = s.held.firstKey();
      skipped.addAndGet(next - s.last - 1);
      log.warn(
          "Connection {}: seq {}..{} of room {} could not be read from the store; going on",
          inner.connectionId(),
          s.last + 1,
          next - 1,
          roomId);
      s.last = next - 1;
      s.retries = 0;
      drain(s);
    }
  }

  /** Delegates everything; wraps each connection on connect. */
  private final class Manager implements HubLifetimeManager {
    private final HubLifetimeManager inner;

    Manager(HubLifetimeManager inner) {
      this.inner = inner;
    }

    @Override
    public CompletableFuture<Void> onConnected(HubConnectionContext connection) {
      Ordered o = new Ordered(connection);
      connections.put(connection.connectionId(), o);
      return inner.onConnected(o);
    }

    @Override
    public CompletableFuture<Void> onDisconnected(HubConnectionContext connection) {
      Ordered o = connections.remove(connection.connectionId());
      return inner.onDisconnected(o != null ? o : connection);
    }

    @Override
    public CompletableFuture<Void> sendAll(String method, Object[] args, Collection<String> ex) {
      return inner.sendAll(method, args, ex);
    }

    @Override
    public CompletableFuture<Void> sendConnection(String id, String method, Object[] args) {
      return inner.sendConnection(id, method, args);
    }

    @Override
    public CompletableFuture<Void> sendConnections(
        Collection<String> ids, String method, Object[] args) {
      return inner.sendConnections(ids, method, args);
    }

    @Override
    public CompletableFuture<Void> sendGroup(
        String group, String method, Object[] args, Collection<String> ex) {
      return inner.sendGroup(group, method, args, ex);
    }

    @Override
    public CompletableFuture<Void> sendGroups(
        Collection<String> groups, String method, Object[] args) {
      return inner.sendGroups(groups, method, args);
    }

    @Override
    public CompletableFuture<Void> sendUser(String userId, String method, Object[] args) {
      return inner.sendUser(userId, method, args);
    }

    @Override
    public CompletableFuture<Void> sendUsers(
        Collection<String> userIds, String method, Object[] args) {
      return inner.sendUsers(userIds, method, args);
    }

    @Override
    public CompletableFuture<Void> addToGroup(String connectionId, String groupName) {
      return inner.addToGroup(connectionId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String connectionId, String groupName) {
      return inner.removeFromGroup(connectionId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeFromAllGroups(String connectionId) {
      return inner.removeFromAllGroups(connectionId);
    }

    @Override
    public CompletableFuture<Void> addUserToGroup(String userId, String groupName, Duration ttl) {
      return inner.addUserToGroup(userId, groupName, ttl);
    }

    @Override
    public CompletableFuture<Void> removeUserFromGroup(String userId, String groupName) {
      return inner.removeUserFromGroup(userId, groupName);
    }

    @Override
    public CompletableFuture<Void> removeUserFromAllGroups(String userId) {
      return inner.removeUserFromAllGroups(userId);
    }

    @Override
    public CompletableFuture<Boolean> isUserInGroup(String userId, String groupName) {
      return inner.isUserInGroup(userId, groupName);
    }

    @Override
    public CompletableFuture<Boolean> closeConnection(String connectionId, String reason) {
      return inner.closeConnection(connectionId, reason);
    }

    @Override
    public CompletableFuture<Void> closeAll(Collection<String> excluded, String reason) {
      return inner.closeAll(excluded, reason);
    }

    @Override
    public CompletableFuture<Void> closeGroup(
        String groupName, Collection<String> excluded, String reason) {
      return inner.closeGroup(groupName, excluded, reason);
    }

    @Override
    public CompletableFuture<Void> closeUser(
        String userId, Collection<String> excluded, String reason) {
      return inner.closeUser(userId, excluded, reason);
    }

    @Override
    public CompletableFuture<Boolean> connectionExists(String connectionId) {
      return inner.connectionExists(connectionId);
    }

    @Override
    public CompletableFuture<Boolean> userExists(String userId) {
      return inner.userExists(userId);
    }

    @Override
    public CompletableFuture<Boolean> groupExists(String groupName) {
      return inner.groupExists(groupName);
    }

    @Override
    public <T> CompletableFuture<T> invokeConnection(
        String connectionId, String method, Object[] args, Type resultType, Duration timeout) {
      return inner.invokeConnection(connectionId, method, args, resultType, timeout);
    }

    @Override
    public void setConnectionResult(String connectionId, CompletionMessage result) {
      inner.setConnectionResult(connectionId, result);
    }

    @Override
    public Type resultType(String connectionId, String invocationId) {
      return inner.resultType(connectionId, invocationId);
    }

    @Override
    public void start(HubConnectionAcceptor acceptor) {
      inner.start(acceptor);
    }

    @Override
    public NegotiateRedirect negotiateRedirect(HubUser user) {
      return inner.negotiateRedirect(user);
    }

    @Override
    public void beginShutdown() {
      inner.beginShutdown();
    }

    @Override
    public boolean isHealthy() {
      return inner.isHealthy();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
