package org.jvmchat.hub.internal.dispatch;

import java.util.Objects;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;

/**
 * Gives the dispatcher a new hub instance's caller context, clients and groups before any of its
 * methods runs. {@link Hub}'s setter is package-private, so {@code Hub}'s static initializer
 * installs the one {@link Attacher} that reaches it; a second installation is refused.
 */
public final class HubAccess {
  /** Sets what a hub's {@code context()}, {@code clients()} and {@code groups()} return. */
  @FunctionalInterface
  public interface Attacher {
    void attach(Hub hub, HubCallerContext context, HubCallerClients clients, GroupManager groups);
  }

  // Written in Hub's static initializer: every thread that holds a Hub has seen it (JLS 12.4.2).
  private static Attacher attacher;

  private HubAccess() {}

  /**
   * Called once, by {@link Hub}'s static initializer.
   *
   * @throws IllegalStateException when an attacher is already installed
   */
  public static void install(Attacher hubAttacher) {
    Objects.requireNonNull(hubAttacher, "hubAttacher");
    synchronized (HubAccess.class) {
      if (attacher != null) {
        throw new IllegalStateException("The hub attacher is installed once, by Hub");
      }
      attacher = hubAttacher;
    }
  }

  /** Attaches the caller's context, clients and groups to {@code hub}. */
  public static void attach(
      Hub hub, HubCallerContext context, HubCallerClients clients, GroupManager groups) {
    Attacher a = attacher;
    if (a == null) {
      try {
        Class.forName(Hub.class.getName(), true, Hub.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = attacher;
    }
    a.attach(hub, context, clients, groups);
  }
}
