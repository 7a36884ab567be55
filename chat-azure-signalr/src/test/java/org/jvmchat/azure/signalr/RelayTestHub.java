package org.jvmchat.azure.signalr;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.Hub;

/** A hub with one method per audience and feature the default mode must carry. */
public class RelayTestHub extends Hub {
  public String echo(String message) {
    return message;
  }

  public String whoAmI() {
    return context().user() == null ? "anonymous" : context().user().id();
  }

  public String connectionId() {
    return context().connectionId();
  }

  public CompletableFuture<Void> broadcast(String message) {
    return clients().all().send("Broadcasted", message);
  }

  public CompletableFuture<Void> broadcastExceptMe(String message) {
    return clients().allExcept(List.of(context().connectionId())).send("Broadcasted", message);
  }

  public CompletableFuture<Void> joinGroup(String group) {
    return groups().addToGroup(context().connectionId(), group);
  }

  public CompletableFuture<Void> leaveGroup(String group) {
    return groups().removeFromGroup(context().connectionId(), group);
  }

  public CompletableFuture<Void> sendGroup(String group, String message) {
    return clients().group(group).send("GroupMessage", group, message);
  }

  public CompletableFuture<Void> sendOthersInGroup(String group, String message) {
    return clients().othersInGroup(group).send("GroupMessage", group, message);
  }

  public CompletableFuture<Void> sendGroups(List<String> groups, String message) {
    return clients().groups(groups).send("GroupMessage", "*", message);
  }

  public CompletableFuture<Void> sendUser(String user, String message) {
    return clients().user(user).send("UserMessage", message);
  }

  public CompletableFuture<Void> sendUsers(List<String> users, String message) {
    return clients().users(users).send("UserMessage", message);
  }

  public CompletableFuture<Void> sendConnection(String connectionId, String message) {
    return clients().client(connectionId).send("DirectMessage", message);
  }

  public CompletableFuture<Void> sendConnections(List<String> connectionIds, String message) {
    return clients().clients(connectionIds).send("DirectMessage", message);
  }

  /** Asks the caller (client results) and returns its answer. */
  public CompletableFuture<String> askCaller(String question) {
    return clients().caller().invoke(String.class, "Ask", question);
  }

  /** Asks another connection, possibly held by another app server, through the service. */
  public CompletableFuture<String> askConnection(String connectionId, String question) {
    return clients().client(connectionId).invoke(String.class, "Ask", question);
  }
}
