package org.jvmchat.examples.spring.quickstart;

import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.Hub;
import org.jvmchat.spring.boot.HubEndpoint;

@HubEndpoint("/hubs/chat")
public class ChatHub extends Hub {
  public CompletableFuture<Void> sendMessage(String user, String message) {
    return clients().all().send("ReceiveMessage", user, message);
  }
}
