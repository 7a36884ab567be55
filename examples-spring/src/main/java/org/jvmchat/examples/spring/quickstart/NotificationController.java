package org.jvmchat.examples.spring.quickstart;

import org.jvmchat.hub.HubContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class NotificationController {
  private final HubContext chat; // the context of the one @HubEndpoint hub: /hubs/chat

  public NotificationController(HubContext chat) {
    this.chat = chat;
  }

  @PostMapping("/notify")
  public ResponseEntity<Void> send(@RequestBody String message) {
    chat.clients().all().send("ReceiveMessage", "server", message);
    return ResponseEntity.accepted().build();
  }
}
