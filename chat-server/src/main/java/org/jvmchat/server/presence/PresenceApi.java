package org.jvmchat.server.presence;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubServer;
import org.jvmchat.persistence.Room;
import org.jvmchat.persistence.settings.SettingValues;
import org.jvmchat.server.api.Problems;
import org.jvmchat.server.api.RestJson;
import org.jvmchat.server.chat.ChatException;
import org.jvmchat.server.chat.ChatService;
import org.jvmchat.server.chat.RoomGroups;
import org.jvmchat.server.model.UserEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence wired into the chat: {@code GET /api/v1/rooms/{id}/online}, and {@code UserOnline} /
 * {@code UserOffline} sent to every room the user joined.
 */
public final class PresenceApi {
  private static final Logger log = LoggerFactory.getLogger(PresenceApi.class);

  private final Presence presence;
  private final ChatService chat;

  public PresenceApi(Presence presence, ChatService chat) {
    this.presence = presence;
    this.chat = chat;
  }

  /**
   * The presence of this server: shared through Redis when {@code redisUrl} is set, else
   * in-process; {@code PRESENCE_GRACE} (default 5 s) and {@code PRESENCE_LEASE} (default 15 s) from
   * {@code env}.
   */
  public static Presence create(String redisUrl, Map<String, String> env) {
    return create(redisUrl, env, null);
  }

  /**
   * @param latencyRecorder told each Redis command's latency, or null
   */
  public static Presence create(
      String redisUrl,
      Map<String, String> env,
      io.lettuce.core.metrics.CommandLatencyRecorder latencyRecorder) {
    Duration grace = duration(env, "PRESENCE_GRACE", Presence.DEFAULT_GRACE_SECONDS);
    Duration lease = duration(env, "PRESENCE_LEASE", Presence.DEFAULT_LEASE_SECONDS);
    SharedPresence shared =
        redisUrl == null
            ? SharedPresence.inProcess()
            : new RedisPresence(redisUrl, lease, latencyRecorder);
    return new Presence(shared, grace, lease);
  }

  private static Duration duration(Map<String, String> env, String name, long defaultSeconds) {
    String value = SettingValues.get(env, name);
    if (value == null) {
      return Duration.ofSeconds(defaultSeconds);
    }
    Duration d = SettingValues.duration(name, value);
    if (d.toMillis() < 100 || d.toHours() > 1) {
      throw new IllegalArgumentException(name + " must be from 100ms to 1h (was " + value + ")");
    }
    return d;
  }

  /** Adds {@code GET /api/v1/rooms/{id}/online}. */
  public void register(HubServer.Builder server) {
    server.route(
        "GET",
        "/api/v1/rooms/{id}/online",
        Problems.authenticated(
            (r, u) -> {
              Room room = chat.accessibleRoom(r.pathParameter("id"), u.id());
              Map<String, String> everyone;
              try {
                everyone = presence.online();
              } catch (RuntimeException e) {
                log.warn("Presence: the online list failed: {}", e.toString());
                throw ChatException.unavailable(
                    "Who is online cannot be read right now (the presence store does not"
                        + " answer); try again shortly.");
              }
              List<UserEvent> online = new ArrayList<>();
              for (Map.Entry<String, String> e : everyone.entrySet()) {
                if (chat.access().isParticipant(room.id(), e.getKey())) {
                  online.add(new UserEvent(room.id(), e.getKey(), e.getValue()));
                }
              }
              return RestJson.ok(
                  200,
                  online.stream()
                      .sorted(java.util.Comparator.comparing(UserEvent::userId))
                      .map(e -> new OnlineUser(e.userId(), e.userName()))
                      .toList());
            }));
  }

  /** Sends the presence events to the rooms of the hub at {@code hub}. */
  public void bind(HubContext hub) {
    presence.listener(
        new Presence.Listener() {
          @Override
          public void online(String userId, String userName, List<String> rooms) {
            send(hub, "UserOnline", userId, userName, () -> rooms);
          }

          @Override
          public void offline(String userId, String userName) {
            send(hub, "UserOffline", userId, userName, () -> chat.joinedRooms(userId));
          }
        });
  }

  /**
   * {@code event} to {@code rooms}: for {@code UserOnline} the rooms the user's first connection
   * was put back in when it opened (not those joined since: a join sends {@code UserJoined}, and
   * reading the rooms here, on the presence thread, would have raced with it); for {@code
   * UserOffline} the rooms the user is in when the last connection's grace ran out.
   */
  private void send(
      HubContext hub, String event, String userId, String userName, Supplier<List<String>> rooms) {
    try {
      for (String roomId : rooms.get()) {
        hub.clients()
            .group(RoomGroups.of(roomId))
            .send(event, new UserEvent(roomId, userId, userName));
      }
    } catch (RuntimeException e) {
      log.warn("Presence: could not send {} for {}: {}", event, userId, e.toString());
    }
  }

  /** An entry of the online list: {@code {"userId","userName"}}. */
  @JsonPropertyOrder({"userId", "userName"})
  public record OnlineUser(
      @JsonProperty("userId") String userId, @JsonProperty("userName") String userName) {}
}
