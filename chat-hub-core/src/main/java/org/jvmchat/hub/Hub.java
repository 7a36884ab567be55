package org.jvmchat.hub;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
   * {@link #onConnected} that may finish later (ASP.NET Core's {@code OnConnectedAsync}): the
   * connection's start waits until the returned stage completes, and a failed stage closes the
   * connection as a thrown exception does. The default calls {@link #onConnected} and returns a
   * completed stage; a hub that overrides this method is not called through {@link #onConnected}
   * unless it calls {@code super.onConnectedAsync()}.
   *
   * <p>Marked {@link NonBlocking} in the hub class, it is called on the connection's I/O thread
   * right after the handshake (when every hub filter is {@link HubFilter#nonBlocking}), saving the
   * hand-off to the hub executor and back; it must then never block, and wait for anything slow
   * through its stage. Without the annotation it runs on the hub executor, like {@link
   * #onConnected}. Filters' {@link HubFilter#onConnected} wrap the call, which returns the stage,
   * not the stage's completion.
   */
  public CompletionStage<Void> onConnectedAsync() throws Exception {
    onConnected();
    return CompletableFuture.completedFuture(null);
  }

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
