package org.jvmchat.server.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jvmchat.hub.ClientProxy;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubMethodName;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.NonBlocking;
import org.jvmchat.persistence.Room;
import org.jvmchat.protocol.HubException;
import org.jvmchat.server.assistant.AssistantService;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.chat.RoomGroups;
import org.jvmchat.server.model.MessageDto;
import org.jvmchat.server.model.RoomDto;
import org.jvmchat.server.model.UserEvent;
import org.jvmchat.server.ops.ChatMetrics;
import org.jvmchat.server.presence.Presence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat hub at {@code /hubs/chat}. Every method checks, on every call, that the caller may use
 * the room. Errors complete the invocation with a readable message (a {@link HubException}); the
 * connection stays open. A room's hub group is {@code room:<roomId>}; which rooms a user joined is
 * stored, so each new connection of the user is put back in those groups.
 */
public class ChatHub extends Hub {
  private static final Logger log = LoggerFactory.getLogger(ChatHub.class);

  /** Longest wait for a group change to take effect. */
  static final Duration GROUP_TIMEOUT = Duration.ofSeconds(10);

  private final ChatService chat;
  private final UserConnections users;
  private final ChatMetrics metrics;
  private final AssistantService assistant;
  private final Presence presence;
  private final RoomDelivery delivery;
  private final Executor lookups;

  /**
   * @param lookups where {@link #sendMessage}, {@link #joinRoom} and {@link #onConnectedAsync} ask
   *     the store when the caches cannot answer, and where a store without asynchronous joins and
   *     group reads is called (an executor that may block: the hub executor)
   */
  public ChatHub(
      ChatService chat,
      UserConnections users,
      ChatMetrics metrics,
      AssistantService assistant,
      Presence presence,
      RoomDelivery delivery,
      Executor lookups) {
    this.delivery = delivery;
    this.lookups = lookups;
    this.chat = chat;
    this.users = users;
    this.metrics = metrics;
    this.assistant = assistant;
    this.presence = presence;
  }

  /**
   * Puts the connection back in the groups of the rooms its user joined, then marks the user
   * online.
   *
   * <p>{@link NonBlocking}: called on the connection's I/O thread. When the joined rooms cache and
   * the room cache answer (and no backplane needs the rooms' newest seqs), nothing blocks: the
   * groups are added and the connection starts without leaving the I/O thread; a user not in the
   * joined rooms cache is read by the store's batched group read, and continues on its thread. Only
   * when a room's access is not cached, or with a backplane, does the restore run on the {@code
   * lookups} executor.
   */
  @NonBlocking
  @Override
  public CompletionStage<Void> onConnectedAsync() {
    HubUser user = user();
    String connectionId = context().connectionId();
    users.add(user.id(), connectionId);
    if (delivery.active()) {
      return onLookups(() -> restoreBlocking(user, connectionId))
          .thenAccept(restored -> online(user, restored));
    }
    GroupManager groups = groups();
    return chat.joinedRoomsAsync(user.id(), lookups)
        .thenCompose(
            rooms -> {
              for (String roomId : rooms) {
                if (chat.cachedAccessibleRoom(roomId, user.id()) == null) {
                  return onLookups(() -> restoreBlocking(user, connectionId));
                }
              }
              List<CompletableFuture<Void>> adds = new ArrayList<>(rooms.size());
              for (String roomId : rooms) {
                adds.add(groups.addToGroup(connectionId, RoomGroups.of(roomId)));
              }
              return allOf(adds).thenApply(v -> rooms);
            })
        .handle(ChatHub::orHubError)
        .thenAccept(restored -> online(user, restored));
  }

  /** After the restore (onDisconnected releases it): UserOnline reaches the rooms restored. */
  private void online(HubUser user, List<String> restored) {
    presence.connected(user.id(), user.name(), restored);
    log.debug("Connected; back in the groups of {} room(s)", restored.size());
  }

  /**
   * The restore where blocking is allowed: every room's access from the store when not cached, and
   * with a backplane the resume points and catch-ups ({@link RoomDelivery}).
   *
   * @return the rooms the connection was put back in
   */
  private List<String> restoreBlocking(HubUser user, String connectionId) {
    List<String> restored = new ArrayList<>();
    // The last seq the client saw per room (lastSeq on the connect URL): what the room received
    // since is given to this connection first, in order, once (RoomDelivery).
    java.util.Map<String, Long> lastSeqs = RoomDelivery.lastSeqs(user);
    for (String roomId : chat.joinedRooms(user.id())) {
      if (chat.mayAccess(roomId, user.id())) {
        Long lastSeq = lastSeqs.get(roomId);
        delivery.resumeFrom(
            connectionId, roomId, lastSeq != null ? lastSeq : delivery.latestSeq(roomId));
        await(groups().addToGroup(connectionId, RoomGroups.of(roomId)));
        if (lastSeq != null) {
          delivery.catchUp(connectionId, roomId);
        }
        restored.add(roomId);
      }
    }
    return restored;
  }

  @Override
  public void onDisconnected(Throwable error) {
    HubUser user = context().user();
    if (user != null) {
      users.remove(user.id(), context().connectionId());
      presence.disconnected(user.id());
    }
  }

  /**
   * Joins the room's group on every connection of the caller; the other users' connections get
   * UserJoined when the user newly joined.
   *
   * <p>{@link NonBlocking}: called on the connection's I/O thread. When the room cache answers the
   * access check (and no backplane needs the room's newest seq), the join is queued on the store's
   * join group commit and the groups are added and UserJoined sent from the thread that completes
   * it; otherwise the whole join runs on the {@code lookups} executor.
   */
  @NonBlocking
  @HubMethodName("JoinRoom")
  public CompletionStage<RoomDto> joinRoom(String roomId) {
    HubUser user = user();
    Room cached = call(() -> chat.cachedAccessibleRoom(roomId, user.id()));
    if (cached == null || delivery.active()) {
      return onLookups(() -> joinRoomBlocking(roomId, user));
    }
    return chat.joinAsync(cached, user.id(), lookups)
        .thenCompose(
            newlyJoined -> {
              CompletableFuture<Void> added = addUserToGroup(user, cached.id());
              return newlyJoined
                  ? added.thenCompose(
                      v ->
                          others(user, cached.id())
                              .send(
                                  "UserJoined", new UserEvent(cached.id(), user.id(), user.name())))
                  : added;
            })
        .handle(ChatHub::orHubError)
        .thenApply(v -> RoomDto.of(cached));
  }

  /** {@link #joinRoom} where blocking is allowed (store reads, the room's newest seq). */
  private RoomDto joinRoomBlocking(String roomId, HubUser user) {
    Room room = call(() -> chat.accessibleRoom(roomId, user.id()));
    boolean newlyJoined = call(() -> chat.join(room, user.id()));
    Long lastSeq = RoomDelivery.lastSeqs(user).get(room.id());
    long latest = delivery.latestSeq(room.id());
    delivery.resumeFrom(context().connectionId(), room.id(), lastSeq != null ? lastSeq : latest);
    for (String id : users.of(user.id())) {
      delivery.resumeFrom(id, room.id(), latest); // no-op where the connection is in the room
    }
    await(addUserToGroup(user, room.id()));
    if (lastSeq != null) {
      delivery.catchUp(context().connectionId(), room.id());
    }
    if (newlyJoined) {
      await(
          others(user, room.id())
              .send("UserJoined", new UserEvent(room.id(), user.id(), user.name())));
    }
    return RoomDto.of(room);
  }

  /** Leaves the room's group on every connection of the caller; the others get UserLeft. */
  @HubMethodName("LeaveRoom")
  public void leaveRoom(String roomId) {
    HubUser user = user();
    Room room = call(() -> chat.existingRoom(roomId));
    boolean wasJoined = call(() -> chat.leave(room, user.id()));
    String connectionId = context().connectionId();
    for (String id : users.of(user.id())) {
      if (!id.equals(connectionId)) {
        await(groups().removeFromGroup(id, RoomGroups.of(room.id())));
        delivery.forget(id, room.id());
      }
    }
    await(groups().removeFromGroup(connectionId, RoomGroups.of(room.id())));
    delivery.forget(connectionId, room.id());
    if (wasJoined) {
      await(
          clients()
              .group(RoomGroups.of(room.id()))
              .send("UserLeft", new UserEvent(room.id(), user.id(), user.name())));
    }
  }

  /**
   * Stores the message; every connection in the room, the sender's included, gets it. A message
   * that mentions {@code @gpt} then makes the assistant answer in the room, asynchronously: this
   * invocation completes as soon as the user's message is stored and sent.
   *
   * <p>{@link NonBlocking}: called on the connection's I/O thread. The access check is answered by
   * the room cache ({@link ChatService#cachedAccessibleRoom}); only when the cache cannot tell (a
   * room or a private room's participant not seen since the start) is the store asked, on the
   * {@code lookups} executor. The append is asynchronous; the broadcast and then the completion are
   * written from the thread that completes it (the store's completion thread, or this I/O thread
   * with the in-memory store), the caller's own ReceiveMessage before its completion.
   */
  @NonBlocking
  @HubMethodName("SendMessage")
  public CompletionStage<MessageDto> sendMessage(String roomId, String content) {
    HubUser user = user();
    String userId = user.id();
    Room cached = call(() -> chat.cachedAccessibleRoom(roomId, userId));
    HubCallerClients callers = clients();
    // A connection's SendMessages may overlap (HUB_MAX_PARALLEL_INVOCATIONS): each is appended only
    // after the one before it was, so one sender's messages keep their order in the store even when
    // one of them waits for a room look-up. Bodies run one at a time, in order, so this is
    // race-free.
    java.util.Map<Object, Object> items = context().items();
    CompletableFuture<?> previous = (CompletableFuture<?>) items.get(APPEND_TURN);
    boolean free = previous == null || previous.isDone();
    if (cached != null && free) {
      return store(callers, cached, user, content);
    }
    CompletableFuture<Room> room;
    if (cached != null) {
      room = CompletableFuture.completedFuture(cached);
    } else {
      try {
        room =
            CompletableFuture.supplyAsync(
                () -> call(() -> chat.accessibleRoom(roomId, userId)), lookups);
      } catch (RejectedExecutionException e) {
        throw new HubException("The server is too busy; try again.");
      }
    }
    CompletableFuture<Room> ready =
        free ? room : previous.handle((v, e) -> null).thenCompose(v -> room);
    CompletableFuture<Void> turn = new CompletableFuture<>();
    items.put(APPEND_TURN, turn);
    return ready
        .handle(
            (r, e) -> {
              try {
                return e != null
                    ? CompletableFuture.<MessageDto>failedFuture(e)
                    : store(callers, r, user, content);
              } catch (RuntimeException refused) {
                return CompletableFuture.<MessageDto>failedFuture(refused);
              } finally {
                turn.complete(null); // the append was submitted (or never will be)
              }
            })
        .thenCompose(stage -> stage);
  }

  /** The connection's item holding when its last {@code SendMessage} was appended (or gave up). */
  private static final String APPEND_TURN = "jvmchat:sendMessage:appended";

  /** Validates, appends, then sends the stored message to the room; completes with it. */
  private CompletionStage<MessageDto> store(
      HubCallerClients callers, Room room, HubUser user, String content) {
    call(
        () -> {
          ChatService.validateContent(content);
          return null;
        });
    ClientProxy roomClients = callers.group(RoomGroups.of(room.id()));
    return chat.append(room, user.id(), user.name(), content)
        .handle(
            (stored, error) -> {
              if (error != null) {
                throw new CompletionException(hubError(error));
              }
              return MessageDto.of(stored);
            })
        .thenCompose(
            dto -> {
              metrics.chatMessageStored();
              return roomClients
                  .send("ReceiveMessage", dto)
                  .thenApply(
                      v -> {
                        assistant.onUserMessage(room.id(), user.id(), content);
                        return dto;
                      });
            });
  }

  /**
   * A private answer of the assistant, streamed to the caller alone (not stored, not sent to the
   * room), with the room's recent history and {@code prompt} as context. Cancelling the stream
   * closes the request to the provider.
   */
  @HubMethodName("StreamAssistant")
  public Flow.Publisher<String> streamAssistant(String roomId, String prompt) {
    HubUser user = user();
    Room room = call(() -> chat.accessibleRoom(roomId, user.id()));
    call(
        () -> {
          return org.jvmchat.persistence.ChatLimits.requireText(
              "prompt",
              prompt,
              org.jvmchat.persistence.ChatLimits.CONTENT_MIN_LENGTH,
              org.jvmchat.persistence.ChatLimits.CONTENT_MAX_LENGTH);
        });
    return call(() -> assistant.privateAnswer(room.id(), user.id(), user.name(), prompt));
  }

  /** The other users' connections in the room get UserTyping. */
  @HubMethodName("SendTyping")
  public void sendTyping(String roomId) {
    HubUser user = user();
    Room room = call(() -> chat.accessibleRoom(roomId, user.id()));
    others(user, room.id()).send("UserTyping", new UserEvent(room.id(), user.id(), user.name()));
  }

  /** The room's connections except the user's own (on every device connected here). */
  private ClientProxy others(HubUser user, String roomId) {
    java.util.Set<String> mine = new java.util.HashSet<>(users.of(user.id()));
    mine.add(context().connectionId());
    return clients().groupExcept(RoomGroups.of(roomId), mine);
  }

  /** Adds every connection of the user here (the caller's first) to the room's group. */
  private CompletableFuture<Void> addUserToGroup(HubUser user, String roomId) {
    String connectionId = context().connectionId();
    GroupManager groups = groups();
    List<CompletableFuture<Void>> adds = new ArrayList<>();
    adds.add(groups.addToGroup(connectionId, RoomGroups.of(roomId)));
    for (String id : users.of(user.id())) {
      if (!id.equals(connectionId)) {
        adds.add(groups.addToGroup(id, RoomGroups.of(roomId)));
      }
    }
    return allOf(adds);
  }

  private HubUser user() {
    HubUser user = context().user();
    if (user == null) {
      // The hub is mapped with requireAuthenticatedUser, so this is not reachable by clients.
      throw new HubException("You must sign in to use the chat.");
    }
    return user;
  }

  private static <T> T call(java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      throw hubError(e);
    }
  }

  private static RuntimeException hubError(Throwable error) {
    RuntimeException translated = ChatService.translate(ChatService.unwrap(error));
    if (translated instanceof ChatException ce) {
      return new HubException(ce.getMessage());
    }
    if (translated instanceof HubException he) {
      return he;
    }
    return translated;
  }

  /** Runs {@code work} on the {@code lookups} executor; a full executor is a readable error. */
  private <T> CompletableFuture<T> onLookups(java.util.function.Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, lookups);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new HubException("The server is too busy; try again."));
    }
  }

  /** All of them, failing as {@link #await} does when one fails or they take too long. */
  private static CompletableFuture<Void> allOf(List<CompletableFuture<Void>> futures) {
    CompletableFuture<Void> all =
        futures.size() == 1
            ? futures.get(0)
            : CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]));
    return all.isDone() ? all : all.orTimeout(GROUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** For {@code handle}: the value, or the failure as the hub error a client reads. */
  private static <T> T orHubError(T value, Throwable error) {
    if (error == null) {
      return value;
    }
    Throwable cause = ChatService.unwrap(error);
    if (cause instanceof TimeoutException) {
      throw new HubException("The server did not answer in time; try again.");
    }
    throw hubError(cause);
  }

  private static void await(CompletableFuture<Void> future) {
    try {
      future.get(GROUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException("The server is shutting down.");
    } catch (ExecutionException e) {
      throw hubError(e.getCause());
    } catch (TimeoutException e) {
      throw new HubException("The server did not answer in time; try again.");
    }
  }
}
