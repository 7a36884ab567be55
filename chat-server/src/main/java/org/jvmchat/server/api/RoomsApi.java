package org.jvmchat.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.jvmchat.hub.ClientProxy;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.persistence.Room;
import org.jvmchat.server.assistant.RateLimiter;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.config.ProtectionSettings;
import org.jvmchat.server.model.MessagePageDto;
import org.jvmchat.server.model.MessagesAfterDto;
import org.jvmchat.server.model.RoomDto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/v1}: rooms, history, participants. Every route needs a user.
 *
 * <p>The room list is paged (issue #27): {@code ?limit=1..500} (default {@value
 * #ROOM_PAGE_DEFAULT_LIMIT}) and {@code ?after=<roomId>}. Every page is the same {@code [Room]}
 * array as before; when more rooms follow, a {@code Link: <...>; rel="next"} header names the next
 * page. Room creation is limited per user ({@link ProtectionSettings#roomCreationLimit()}); beyond
 * it {@code POST /rooms} answers 429 with {@code Retry-After}.
 *
 * <p>Room lists update live: once {@linkplain #bind bound} to the chat hub, a created public room
 * is sent to every connection as {@value #ROOM_ADDED} ({@code Room}), a private room to its
 * creator's connections, and a private room a participant was added to, to that user's connections,
 * on every instance (through the hub's lifetime manager).
 */
public final class RoomsApi {
  private static final Logger log = LoggerFactory.getLogger(RoomsApi.class);

  /** The hub event that puts a room in a user's room list. */
  public static final String ROOM_ADDED = "RoomAdded";

  public static final String PREFIX = "/api/v1";

  /** Rooms in a page of the room list when the request names no {@code limit}. */
  public static final int ROOM_PAGE_DEFAULT_LIMIT = 100;

  /** Most rooms in one page of the room list. */
  public static final int ROOM_PAGE_MAX_LIMIT = 500;

  private final ChatService chat;
  private final ProtectionSettings protection;
  private final RateLimiter roomCreation;
  private volatile HubContext hub;

  public RoomsApi(ChatService chat) {
    this(chat, ProtectionSettings.defaults());
  }

  public RoomsApi(ChatService chat, ProtectionSettings protection) {
    this.chat = chat;
    this.protection = protection;
    this.roomCreation =
        protection.roomCreationLimit() == 0
            ? null
            : new RateLimiter(
                protection.roomCreationLimit(), protection.roomCreationWindow(), System::nanoTime);
  }

  /** Sends {@value #ROOM_ADDED} to the connections of the hub at {@code hub} from now on. */
  public void bind(HubContext hub) {
    this.hub = hub;
  }

  /** Adds the routes. */
  public void register(HubServer.Builder server) {
    server.route("GET", PREFIX + "/rooms", Problems.authenticated((r, u) -> listRooms(r, u.id())));
    server.route(
        "POST", PREFIX + "/rooms", Problems.authenticated((r, u) -> createRoom(r, u.id())));
    server.route(
        "GET",
        PREFIX + "/rooms/{id}",
        Problems.authenticated(
            (r, u) ->
                RestJson.ok(200, RoomDto.of(chat.accessibleRoom(r.pathParameter("id"), u.id())))));
    server.route(
        "GET",
        PREFIX + "/rooms/{id}/messages",
        Problems.authenticated((r, u) -> history(r, u.id())));
    server.route(
        "POST",
        PREFIX + "/rooms/{id}/participants",
        Problems.authenticated((r, u) -> addParticipant(r, u.id())));
  }

  private HttpResponse listRooms(HttpRequest request, String userId) {
    int limit =
        wholeNumber(
            request.query("limit"), "limit", 1, ROOM_PAGE_MAX_LIMIT, ROOM_PAGE_DEFAULT_LIMIT);
    String after = request.query("after");
    if (after != null && after.isEmpty()) {
      after = null;
    }
    // One more than asked tells whether a next page exists.
    List<Room> rooms = chat.visibleRooms(userId, after, limit + 1);
    boolean more = rooms.size() > limit;
    List<Room> page = more ? rooms.subList(0, limit) : rooms;
    HttpResponse response = RestJson.ok(200, page.stream().map(RoomDto::of).toList());
    if (more) {
      String next = PREFIX + "/rooms?limit=" + limit + "&after=" + page.get(page.size() - 1).id();
      response = response.withHeader("Link", "<" + next + ">; rel=\"next\"");
    }
    return response;
  }

  private HttpResponse createRoom(HttpRequest request, String userId) {
    JsonNode body = RestJson.objectBody(request);
    String name = RestJson.requiredString(body, "name");
    boolean isPrivate = RestJson.optionalBoolean(body, "isPrivate", false);
    if (roomCreation != null) {
      Duration wait = roomCreation.tryAcquire(userId);
      if (!wait.isZero()) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return HttpResponse.problem(
                429,
                "Too Many Requests",
                "You created too many rooms: at most "
                    + protection.roomCreationLimit()
                    + " per "
                    + describe(protection.roomCreationWindow())
                    + ". Try again in "
                    + seconds
                    + " s.")
            .withHeader("Retry-After", Long.toString(seconds));
      }
    }
    Room room = chat.createRoom(name, isPrivate, userId);
    roomAdded(room, isPrivate ? List.of(userId) : null);
    return RestJson.ok(201, RoomDto.of(room))
        .withHeader("Location", PREFIX + "/rooms/" + room.id());
  }

  private static String describe(Duration window) {
    long s = window.toSeconds();
    if (s % 3600 == 0) {
      return s == 3600 ? "hour" : s / 3600 + " hours";
    }
    if (s % 60 == 0) {
      return s == 60 ? "minute" : s / 60 + " minutes";
    }
    return window.toMillis() + " ms";
  }

  /** A whole-number query parameter in {@code min..max}, or {@code fallback} when absent. */
  private static int wholeNumber(String text, String name, int min, int max, int fallback) {
    if (text == null || text.isEmpty()) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw ChatException.badInput(
          name + " must be a whole number from " + min + " to " + max + " (was '" + text + "').");
    }
    return value;
  }

  private HttpResponse history(HttpRequest request, String userId) {
    int limit = ChatLimits.HISTORY_DEFAULT_LIMIT;
    String limitText = request.query("limit");
    if (limitText != null) {
      try {
        limit = Integer.parseInt(limitText.trim());
      } catch (NumberFormatException e) {
        throw ChatException.badInput(
            "limit must be a whole number from "
                + ChatLimits.HISTORY_MIN_LIMIT
                + " to "
                + ChatLimits.HISTORY_MAX_LIMIT
                + " (was '"
                + limitText
                + "').");
      }
    }
    String before = request.query("before");
    if (before != null && before.isEmpty()) {
      before = null;
    }
    String after = request.query("after");
    if (after != null && !after.isEmpty()) {
      if (before != null) {
        throw ChatException.badInput(
            "before and after cannot be used together: before pages back from a message id,"
                + " after reads forward from a seq.");
      }
      return RestJson.ok(
          200,
          MessagesAfterDto.of(
              chat.historyAfter(request.pathParameter("id"), userId, afterSeq(after), limit)));
    }
    return RestJson.ok(
        200, MessagePageDto.of(chat.history(request.pathParameter("id"), userId, before, limit)));
  }

  private static long afterSeq(String text) {
    try {
      long after = Long.parseLong(text.trim());
      if (after >= 0) {
        return after;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ChatException.badInput(
        "after must be a message seq, a whole number 0 or more (was '" + text + "').");
  }

  private HttpResponse addParticipant(HttpRequest request, String userId) {
    String roomId = request.pathParameter("id");
    Room room = chat.existingRoom(roomId);
    JsonNode body = RestJson.objectBody(request);
    String newUser = RestJson.requiredString(body, "userId");
    chat.addParticipant(roomId, userId, newUser);
    if (room.isPrivate()) {
      roomAdded(room, List.of(newUser)); // a public room was in everyone's list already
    }
    return HttpResponse.noContent();
  }

  /** Tells {@code users} (or, when null, every connection) that {@code room} is in their list. */
  private void roomAdded(Room room, List<String> users) {
    HubContext h = hub;
    if (h == null) {
      return;
    }
    ClientProxy to = users == null ? h.clients().all() : h.clients().users(users);
    to.send(ROOM_ADDED, RoomDto.of(room))
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                // The room exists and the REST answer says so; a list refreshed later shows it.
                log.warn("Could not send {} for room {}: {}", ROOM_ADDED, room.id(), e.toString());
              }
            });
  }
}
