package org.jvmchat.hub;

import org.jvmchat.hub.internal.dispatch.HubAccess;

/**
 * The base of a hub: a plain Java class whose public methods clients call by name.
 *
 * <p>A method becomes callable when it is public, not static, and declared by the hub class or a
 * superclass below {@code Hub}; its name is matched case-insensitively, and {@link HubMethodName}
 * renames it. Overloads are refused at start. Parameters are bound from the invocation's arguments;
 * a {@link java.util.concurrent.Flow.Publisher} parameter is a client-to-server stream. A method
 * returning {@link java.util.concurrent.Flow.Publisher}, {@link java.util.Iterator} or {@link
 * java.util.stream.Stream} is a server-to-client stream; one returning {@link
 * java.util.concurrent.CompletionStage} completes when the stage does.
 *
 * <p>A new instance is made (by the supplier given when mapping the hub) for every invocation and
 * lifecycle event; keep state in services, {@link HubCallerContext#items()} or groups. Methods run
 * on the hub executor, never on an I/O thread, so they may block; one invocation at a time per
 * connection.
 */
public abstract class Hub {
  private HubCallerContext context;
  private HubCallerClients clients;
  private GroupManager groups;

  /** The caller: connection id, user, items, abort. */
  protected final HubCallerContext context() {
    return context;
  }

  /** Send to the caller, others, everyone, groups, users. */
  protected final HubCallerClients clients() {
    return clients;
  }

  /** Add connections to groups and remove them. */
  protected final GroupManager groups() {
    return groups;
  }

  /** Called when a connection has completed its handshake; throwing closes it. */
  public void onConnected() throws Exception {}

  /**
   * Called once when a connection ends.
   *
   * @param error what ended it, or {@code null} for a normal close
   */
  public void onDisconnected(Throwable error) throws Exception {}

  /** Used by the dispatcher before any method runs. */
  final void attach(HubCallerContext context, HubCallerClients clients, GroupManager groups) {
    this.context = context;
    this.clients = clients;
    this.groups = groups;
  }

  static {
    HubAccess.install(Hub::attach);
  }
}
