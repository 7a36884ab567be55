package org.jvmchat.hub;

/** Lets the internal dispatcher attach a context to a hub without making it public API. */
public final class HubAccess {
  interface Attacher {
    void attach(Hub hub, HubCallerContext context, HubCallerClients clients, GroupManager groups);
  }

  static Attacher attacher;

  private HubAccess() {}

  /** Internal: not for applications. */
  public static void attach(
      Hub hub, HubCallerContext context, HubCallerClients clients, GroupManager groups) {
    if (attacher == null) {
      try {
        Class.forName(Hub.class.getName(), true, Hub.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    attacher.attach(hub, context, clients, groups);
  }
}
