package org.jvmchat.load.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jvmchat.load.Kind;

/**
 * Tokens and rooms made before a run (outside every timed phase). The chat server needs a JWT per
 * user and rooms created over REST; the ceiling and socket.io take any room id, and socket.io a
 * user id as query parameter.
 *
 * @param tokens per user: the chat server's JWT, socket.io's user id, empty for the ceiling
 * @param rooms room ids
 */
public record Setup(List<String> tokens, List<String> rooms) {
  public static Setup prepare(Target target, int connections, int users, int rooms)
      throws IOException, InterruptedException {
    return prepare(target, connections, users, rooms, "u");
  }

  /**
   * As {@link #prepare(Target, int, int, int)}, with users named {@code <userPrefix><i>}: a second
   * setup with another prefix shares no user (and no room) with the first.
   */
  public static Setup prepare(
      Target target, int connections, int users, int rooms, String userPrefix)
      throws IOException, InterruptedException {
    int u = Math.max(1, Math.min(users <= 0 ? connections : users, connections));
    String prefix = "load-" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36);
    List<String> tokens = new ArrayList<>();
    List<String> roomIds = new ArrayList<>();
    if (target.kind() == Kind.CHAT) {
      ChatApi api = new ChatApi(target.httpBase());
      tokens.addAll(api.devTokens(u, userPrefix));
      // Created by the users round robin: the chat server limits the rooms one user creates
      // (ROOM_CREATION_RATE_LIMIT, 20 per minute by default).
      for (int i = 0; i < rooms; i++) {
        roomIds.add(api.createRoom(tokens.get(i % tokens.size()), prefix + "-" + i));
      }
    } else {
      if (target.kind() == Kind.SOCKETIO) {
        for (int i = 0; i < u; i++) {
          tokens.add(userPrefix + i);
        }
      }
      for (int i = 0; i < rooms; i++) {
        roomIds.add(prefix + "-" + i);
      }
    }
    return new Setup(tokens, roomIds);
  }

  /** The token of connection {@code i} (users are reused round robin), or null. */
  public String token(int i) {
    return tokens.isEmpty() ? null : tokens.get(i % tokens.size());
  }

  public String room(int i) {
    return rooms.get(i % rooms.size());
  }
}
