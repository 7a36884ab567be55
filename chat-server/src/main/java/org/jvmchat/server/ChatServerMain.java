package org.jvmchat.server;

import java.time.Duration;
import org.jvmchat.persistence.ChatStore;
import org.jvmchat.persistence.ChatStores;
import org.jvmchat.persistence.EmbeddedDatabaseUnavailableException;
import org.jvmchat.server.backplane.ScaleoutMode;
import org.jvmchat.server.backplane.ScaleoutModes;
import org.jvmchat.server.config.ChatSettings;
import org.jvmchat.server.config.SettingsException;
import org.jvmchat.server.config.SettingsLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar chat-server.jar}: reads the settings (environment over {@code CHAT_CONFIG} over
 * defaults), opens the store and the backplane, starts the server and logs one line with its URL.
 * SIGTERM (or Ctrl-C) stops it gracefully. Invalid settings or a failed start print one line to
 * standard error and exit with status 2 (settings) or 1 (start).
 */
public final class ChatServerMain {
  /** The start-up line; tests read the URL from it. */
  static final String READY_LINE = "Chat server listening on ";

  private ChatServerMain() {}

  public static void main(String[] args) {
    ChatSettings settings;
    ScaleoutMode backplane;
    try {
      settings = SettingsLoader.load();
      backplane = ScaleoutModes.standard().create(settings);
    } catch (SettingsException e) {
      System.err.println("chat-server: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    org.jvmchat.server.ops.LogSetup.apply(
        settings.operations().logFormat(), settings.operations().logLevel());
    Logger log = LoggerFactory.getLogger(ChatServerMain.class);
    log.info("Starting with {}", settings);
    if (settings.jwtSecretGenerated()) {
      log.warn(
          "JWT_SECRET is not set: tokens are signed with a random key made at start"
              + " (Development only; tokens do not survive a restart)");
    }
    if (settings.isDevelopment() && !isLoopback(settings.host())) {
      log.warn(
          "DEVELOPMENT SERVER ON A NETWORK ADDRESS: listening on {} in Development, where anyone"
              + " who reaches this port can get a token for any user id"
              + " (POST /api/v1/auth/dev-token). Set CHAT_ENVIRONMENT=Production, or bind"
              + " 127.0.0.1 (\"host\" in CHAT_CONFIG), unless this machine is private.",
          settings.host());
    }
    if (settings.store().inMemory()) {
      log.warn(
          "CHAT_STORE=memory: rooms and messages are kept in memory only; nothing survives a"
              + " restart and instances share nothing");
    }
    ChatStore store = null;
    ChatServer server = null;
    try {
      store = ChatStores.open(settings.store());
      server = new ChatServer(settings, store, backplane).start();
    } catch (RuntimeException e) {
      if (e instanceof EmbeddedDatabaseUnavailableException) {
        // No embedded PostgreSQL here (a platform without a binary): the one line that says what
        // to set instead is the whole story, so no stack trace.
        log.error("Start failed: {}", e.getMessage());
      } else {
        log.error("Start failed", e);
      }
      System.err.println("chat-server: start failed: " + e.getMessage());
      if (server != null) {
        server.stop(Duration.ZERO);
      }
      if (store != null) {
        store.close();
      }
      backplane.close();
      System.exit(1);
      return;
    }
    ChatServer running = server;
    ChatStore openStore = store;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info(
                      "Shutting down: readiness is 503, draining connections for at most {}",
                      settings.shutdownGrace());
                  running.stop(settings.shutdownGrace());
                  backplane.close();
                  openStore.close();
                  log.info("Stopped");
                },
                "chat-shutdown"));
    if (running.managementPort() > 0) {
      log.info("Management port {}: /metrics and health", running.managementPort());
    }
    log.info(
        READY_LINE + "{} (environment {}, store {}, backplane {}, assistant {})",
        running.url(),
        settings.environment().displayName(),
        settings.store().embedded() ? "embedded PostgreSQL" : "PostgreSQL",
        backplane.name(),
        settings.assistantEnabled() ? "model " + settings.openAiModel() : "disabled");
    awaitShutdown();
  }

  /** Whether {@code host} is a loopback address (false for the wildcard and for names). */
  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // Literal addresses only: no name look-up happens for them.
      return (host.indexOf(':') >= 0 || Character.isDigit(host.charAt(0)))
          && java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Keeps the main thread alive until the JVM exits (the shutdown hook does the stopping). */
  private static void awaitShutdown() {
    try {
      new java.util.concurrent.CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
