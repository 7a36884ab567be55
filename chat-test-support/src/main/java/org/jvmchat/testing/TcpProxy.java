package org.jvmchat.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on the loopback address (a free port) in front of a real server (PostgreSQL, Redis, a
 * hub server), for tests that need a real network fault without touching the shared server:
 *
 * <ul>
 *   <li>{@link #cut()} closes every proxied connection and refuses new ones (accepted and closed at
 *       once) until {@link #restore()}: the server is "down" for whoever goes through the proxy.
 *   <li>{@link #dropAll()} resets every proxied connection (RST, no orderly close such as a
 *       WebSocket close frame) and keeps accepting new ones: a network blip.
 * </ul>
 *
 * Pump threads are daemons; {@link #close()} ends them all.
 */
public final class TcpProxy implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final long JOIN_MILLIS = 5_000;

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean cut;
  private volatile boolean closed;

  /** Starts forwarding from {@link #port()} to {@code targetHost:targetPort}. */
  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    start("tcp-proxy-accept-" + port(), this::acceptLoop);
  }

  /** The port to connect to instead of the target's. */
  public int port() {
    return server.getLocalPort();
  }

  /** Closes every proxied connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    cut = true;
    for (Socket s : List.copyOf(sockets)) {
      closeQuietly(s);
    }
  }

  /** Lets new connections through again after {@link #cut()}. */
  public void restore() {
    cut = false;
  }

  /** Resets every proxied connection (RST on both sides); new connections still go through. */
  public void dropAll() {
    // A snapshot: the client side learns of the reset at once and may reconnect through this
    // proxy while the loop still runs; the set's live iterator could then reset that new
    // connection too, a second blip the caller never asked for.
    for (Socket s : List.copyOf(sockets)) {
      reset(s);
    }
  }

  private void start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        // No Nagle stalls on the many small round trips of PostgreSQL or Redis.
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(new InetSocketAddress(targetHost, targetPort), CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      start("tcp-proxy-up", () -> pump(client, upstream));
      start("tcp-proxy-down", () -> pump(upstream, client));
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed by cut(), reset by dropAll(), or by a peer: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
      threads.remove(Thread.currentThread());
    }
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed: closing below is enough
    }
    closeQuietly(s);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  /** Stops accepting, closes every connection and waits for the proxy's threads to end. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    cut();
    try {
      for (Thread t : threads) {
        t.join(JOIN_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
