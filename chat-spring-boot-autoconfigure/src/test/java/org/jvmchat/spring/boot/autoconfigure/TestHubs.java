package org.jvmchat.spring.boot.autoconfigure;

import java.util.concurrent.CompletableFuture;
import org.jvmchat.hub.Hub;
import org.jvmchat.spring.boot.HubEndpoint;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;

/** Hubs of the tests. */
final class TestHubs {
  private TestHubs() {}

  /** A service, to show that hubs get constructor injection. */
  static final class Greeter {
    String greet(String name) {
      return "hello " + name;
    }
  }

  @HubEndpoint("/hubs/echo")
  static class EchoHub extends Hub {
    private final Greeter greeter;

    EchoHub(Greeter greeter) {
      this.greeter = greeter;
    }

    public String echo(String text) {
      return text;
    }

    public String greet(String name) {
      return greeter.greet(name);
    }

    /** The caller's user as the hub sees it: "id|name", or "anonymous". */
    public String whoami() {
      return context().user() == null
          ? "anonymous"
          : context().user().id() + "|" + context().user().name();
    }

    public CompletableFuture<Void> join(String group) {
      return groups().addToGroup(context().connectionId(), group);
    }
  }

  @HubEndpoint(path = "/hubs/other", requireAuthenticatedUser = true)
  static class OtherHub extends Hub {
    public int add(int a, int b) {
      return a + b;
    }
  }

  /** Wrong: a singleton hub would be shared by every invocation. */
  @HubEndpoint("/hubs/singleton")
  @Scope(ConfigurableBeanFactory.SCOPE_SINGLETON)
  static class SingletonHub extends Hub {}

  /** Wrong: the same path as EchoHub. */
  @HubEndpoint("/hubs/echo")
  static class DuplicateHub extends Hub {}
}
