package org.jvmchat.hub;

import java.util.concurrent.ConcurrentMap;

/** Who is calling: one connection. */
public interface HubCallerContext {
  String connectionId();

  /** The user id of the connection ({@link HubUser#id()}), or {@code null} when anonymous. */
  default String userIdentifier() {
    HubUser user = user();
    return user == null ? null : user.id();
  }

  /** The authenticated user, or {@code null} when anonymous. */
  HubUser user();

  /** State that lives as long as the connection. */
  ConcurrentMap<Object, Object> items();

  /** {@code WebSockets}, {@code ServerSentEvents} or {@code LongPolling}. */
  String transport();

  /** {@code json} or {@code messagepack}. */
  String protocol();

  /** Ends the connection: the client receives a Close without error. */
  void abort();
}
