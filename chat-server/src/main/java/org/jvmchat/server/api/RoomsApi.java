package org.jvmchat.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.persistence.ChatLimits;
import org.jvmchat.persistence.Room;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.model.MessagePageDto;
import org.jvmchat.server.model.MessagesAfterDto;
import org.jvmchat.server.model.RoomDto;

/** The REST API under {@code /api/v1}: rooms, history, participants. Every route needs a user. */
public final class RoomsApi {
  public static final String PREFIX = "/api/v1";

  private final ChatService chat;

  public RoomsApi(ChatService chat) {
    this.chat = chat;
  }

  /** Adds the routes. */
  public void register(HubServer.Builder server) {
    server.route("GET", PREFIX + "/rooms", Problems.authenticated((r, u) -> listRooms(u.id())));
    server.route(
        "POST", PREFIX + "/rooms", Problems.authenticated((r, u) -> createRoom(r, u.id())));
    server.route(
        "GET",
        PREFIX + "/rooms/{id}",
        Problems.authenticated(
            (r, u) ->
                Json.ok(200, RoomDto.of(chat.accessibleRoom(r.pathParameter("id"), u.id())))));
    server.route(
        "GET",
        PREFIX + "/rooms/{id}/messages",
        Problems.authenticated((r, u) -> history(r, u.id())));
    server.route(
        "POST",
        PREFIX + "/rooms/{id}/participants",
        Problems.authenticated((r, u) -> addParticipant(r, u.id())));
  }

  private HttpResponse listRooms(String userId) {
    return Json.ok(200, chat.visibleRooms(userId).stream().map(RoomDto::of).toList());
  }

  private HttpResponse createRoom(HttpRequest request, String userId) {
    JsonNode body = Json.objectBody(request);
    String name = Json.requiredString(body, "name");
    boolean isPrivate = Json.optionalBoolean(body, "isPrivate", false);
    Room room = chat.createRoom(name, isPrivate, userId);
    return Json.ok(201, RoomDto.of(room)).withHeader("Location", PREFIX + "/rooms/" + room.id());
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
      return Json.ok(
          200,
          MessagesAfterDto.of(
              chat.historyAfter(request.pathParameter("id"), userId, afterSeq(after), limit)));
    }
    return Json.ok(
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
    chat.existingRoom(roomId);
    JsonNode body = Json.objectBody(request);
    String newUser = Json.requiredString(body, "userId");
    chat.addParticipant(roomId, userId, newUser);
    return HttpResponse.noContent();
  }
}
