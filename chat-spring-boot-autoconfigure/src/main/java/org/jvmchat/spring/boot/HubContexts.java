package org.jvmchat.spring.boot;

import java.util.Set;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubContext;

/**
 * The {@link HubContext} of every mapped hub, for controllers, scheduled jobs and listeners that
 * send to a hub's users, groups and connections from outside a hub method (ASP.NET Core's {@code
 * IHubContext<THub>}). A bean; with a single {@link HubEndpoint} hub, {@code HubContext} itself can
 * be injected too (with several, qualify it with the hub's path: {@code @Qualifier("/hubs/chat")}).
 */
public interface HubContexts {
  /**
   * The hub mapped to {@code path}.
   *
   * @throws IllegalArgumentException when no hub is mapped there
   */
  HubContext hubContext(String path);

  /**
   * The hub of a {@link HubEndpoint} class.
   *
   * @throws IllegalArgumentException when the class is not mapped with {@link HubEndpoint}
   */
  HubContext hubContext(Class<? extends Hub> hubType);

  /** The mapped paths. */
  Set<String> paths();
}
