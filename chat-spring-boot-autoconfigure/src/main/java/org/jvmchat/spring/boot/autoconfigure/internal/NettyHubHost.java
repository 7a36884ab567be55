package org.jvmchat.spring.boot.autoconfigure.internal;

import java.time.Duration;
import org.jvmchat.hub.HubContext;
import org.jvmchat.hub.HubServer;

/** The hubs on their own port ({@code jvmchat.server.port}): hub-core's Netty {@link HubServer}. */
public final class NettyHubHost implements HubHost {
  private final HubServer server;

  public NettyHubHost(HubServer server) {
    this.server = server;
  }

  public HubServer server() {
    return server;
  }

  @Override
  public void start() {
    server.start();
  }

  @Override
  public void stop(Duration grace) {
    server.stop(grace);
  }

  @Override
  public HubContext hubContext(String path) {
    return server.hubContext(path);
  }

  @Override
  public String description() {
    return "jvmchat's Netty server on port " + server.port();
  }
}
