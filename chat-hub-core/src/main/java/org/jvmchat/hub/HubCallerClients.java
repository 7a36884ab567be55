package org.jvmchat.hub;

/** {@link HubClients} seen from a caller. */
public interface HubCallerClients extends HubClients {
  SingleClientProxy caller();

  ClientProxy others();

  ClientProxy othersInGroup(String groupName);
}
