package org.jvmchat.examples.quickstart;

import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubServer;

/**
 * The first quick start of docs/EMBEDDING.md, exactly as printed there: a hub on the Netty host in
 * a plain Java main. {@code quickstart.test.mjs} runs it and connects with {@code
 * @microsoft/signalr}.
 */
public final class QuickStart {
  private QuickStart() {}

  /** The hub: {@code connection.invoke("Send", user, text)} reaches {@link #send}. */
  public static class ChatHub extends Hub {
    public void send(String user, String message) {
      clients().all().send("ReceiveMessage", user, message);
    }
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    HubServer server = HubServer.builder().port(port).hub("/hubs/chat", ChatHub::new).build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("listening on http://localhost:" + server.port() + "/hubs/chat");
  }
}
