package org.jvmchat.hub;

/** Sends to a hub's clients from outside a hub method (a REST handler, a timer). */
public interface HubContext {
  HubClients clients();

  GroupManager groups();
}
