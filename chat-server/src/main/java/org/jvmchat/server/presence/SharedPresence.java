package org.jvmchat.server.presence;

import java.util.List;
import java.util.Map;

/**
 * Who is online on every instance: what {@link Presence} asks when a user's first connection on
 * this instance opens or the last one closes. Called from {@link Presence}'s one thread only.
 */
public interface SharedPresence extends AutoCloseable {
  /**
   * This instance now holds a connection of the user.
   *
   * @return whether the user was offline everywhere until now (then {@code UserOnline} is sent)
   */
  boolean held(String userId, String userName);

  /**
   * This instance no longer holds a connection of the user.
   *
   * @return whether the user is now offline everywhere; for one going offline, exactly one instance
   *     gets {@code true} (it sends {@code UserOffline})
   */
  boolean released(String userId);

  /** Renews this instance's claim on the users it holds (called every few seconds). */
  void refresh(Map<String, String> held);

  /**
   * Users whose every claim expired (their instances died), each returned to one instance only,
   * which sends {@code UserOffline}: {@code [userId, userName]} pairs.
   */
  List<Map.Entry<String, String>> expired();

  /** Every user online on any instance: id to display name. */
  Map<String, String> online();

  /** A short description for logs. */
  String name();

  @Override
  default void close() {}

  /** One instance: this instance's users are everyone's. */
  static SharedPresence inProcess() {
    return new SharedPresence() {
      private final Map<String, String> online = new java.util.concurrent.ConcurrentHashMap<>();

      @Override
      public boolean held(String userId, String userName) {
        return online.put(userId, userName) == null;
      }

      @Override
      public boolean released(String userId) {
        return online.remove(userId) != null;
      }

      @Override
      public void refresh(Map<String, String> held) {}

      @Override
      public List<Map.Entry<String, String>> expired() {
        return List.of();
      }

      @Override
      public Map<String, String> online() {
        return Map.copyOf(online);
      }

      @Override
      public String name() {
        return "in-process";
      }
    };
  }
}
