package org.jvmchat.hub.servlet.quickstart;

import org.jvmchat.hub.Hub;

/** The hub of docs/EMBEDDING.md's Servlet container quick start. */
public class ChatHub extends Hub {
  public void send(String user, String message) {
    clients().all().send("ReceiveMessage", user, message);
  }
}
