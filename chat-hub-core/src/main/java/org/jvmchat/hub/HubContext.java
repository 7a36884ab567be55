package org.jvmchat.hub;

/** Sends to a hub's clients from outside a hub method (a REST handler, a timer). */
public interface HubContext {
  HubClients clients();

  GroupManager groups();

  /** Group membership of users, on all their connections across instances. */
  UserGroupManager userGroups();

  /** Closing connections and existence checks across instances. */
  ClientManager clientManager();
}
