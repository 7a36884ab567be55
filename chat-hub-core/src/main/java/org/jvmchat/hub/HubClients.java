package org.jvmchat.hub;

import java.util.Collection;

/** Every audience of the hub model. */
public interface HubClients {
  ClientProxy all();

  ClientProxy allExcept(Collection<String> excludedConnectionIds);

  SingleClientProxy client(String connectionId);

  ClientProxy clients(Collection<String> connectionIds);

  ClientProxy group(String groupName);

  ClientProxy groups(Collection<String> groupNames);

  ClientProxy groupExcept(String groupName, Collection<String> excludedConnectionIds);

  ClientProxy user(String userId);

  ClientProxy users(Collection<String> userIds);
}
