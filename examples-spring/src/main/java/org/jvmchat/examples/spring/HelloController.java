package org.jvmchat.examples.spring;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A Spring MVC controller on the same port as the hubs. */
@RestController
class HelloController {
  @GetMapping("/hello")
  String hello() {
    return "Hello from Spring MVC, beside the SignalR hubs";
  }
}
