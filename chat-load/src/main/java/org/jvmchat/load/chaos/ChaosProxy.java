package org.jvmchat.load.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on a loopback port whose faults the chaos run controls: round robin over backends
 * (each may be taken out, as a balancer does with an instance that stopped answering), {@link #cut}
 * (every open connection reset, new ones refused, until {@link #restore}) and {@link #hold} (chosen
 * connections stop moving bytes in both directions with no FIN or RST, as a dead network path,
 * until {@link #releaseHeld}). Blocking I/O, two threads per connection: it carries a few hundred
 * connections of a test run, not production traffic.
 */
public final class ChaosProxy implements AutoCloseable {
  private final String name;
  private final String backendHost;
  private final ServerSocket listener;
  private final List<Integer> backends;
  private final AtomicInteger next = new AtomicInteger();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile boolean cut;
  private volatile boolean closed;

  /**
   * A proxy on a free loopback port to the given backend ports on {@code backendHost} (a port of
   * {@code 0} is a backend out of rotation).
   */
  public ChaosProxy(String name, String backendHost, List<Integer> backendPorts)
      throws IOException {
    this.name = name;
    this.backendHost = backendHost;
    this.backends = Collections.synchronizedList(new ArrayList<>(backendPorts));
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "chaos-proxy-" + name);
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Puts backend {@code index} on {@code port} ({@code 0}: out of rotation). */
  public void setBackend(int index, int port) {
    backends.set(index, port);
  }

  public long accepted() {
    return accepted.get();
  }

  public long refused() {
    return refused.get();
  }

  public int openLinks() {
    return links.size();
  }

  /** Open connections per backend index. */
  public int[] linksPerBackend() {
    int[] n = new int[backends.size()];
    for (Link l : List.copyOf(links)) {
      n[l.backend]++;
    }
    return n;
  }

  /** Resets (RST) every open connection and refuses new ones until {@link #restore}. */
  public int cut() {
    cut = true;
    int n = 0;
    for (Link l : List.copyOf(links)) {
      l.reset();
      n++;
    }
    return n;
  }

  public void restore() {
    cut = false;
  }

  /**
   * Holds a random {@code fraction} of the open connections: no byte moves either way, nothing is
   * closed. Returns how many.
   */
  public int hold(double fraction) {
    int n = 0;
    for (Link l : List.copyOf(links)) {
      if (ThreadLocalRandom.current().nextDouble() < fraction) {
        l.hold();
        n++;
      }
    }
    return n;
  }

  /** Resets a random {@code fraction} of the open connections (new ones are accepted). */
  public int reset(double fraction) {
    int n = 0;
    for (Link l : List.copyOf(links)) {
      if (!l.held && ThreadLocalRandom.current().nextDouble() < fraction) {
        l.reset();
        n++;
      }
    }
    return n;
  }

  /** Ends the held connections with a reset on both sides (the path is back, the state is gone). */
  public int releaseHeld() {
    int n = 0;
    for (Link l : List.copyOf(links)) {
      if (l.held) {
        l.reset();
        n++;
      }
    }
    return n;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      if (cut) {
        refused.incrementAndGet();
        resetQuietly(client);
        continue;
      }
      Thread t = new Thread(() -> connect(client), "chaos-proxy-" + name + "-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void connect(Socket client) {
    int size = backends.size();
    int start = Math.floorMod(next.getAndIncrement(), size);
    for (int i = 0; i < size; i++) {
      int port = backends.get((start + i) % size);
      if (port == 0) {
        continue;
      }
      Socket server = new Socket();
      try {
        server.setTcpNoDelay(true);
        server.connect(new InetSocketAddress(backendHost, port), 2000);
        client.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(server);
        continue;
      }
      if (cut) {
        resetQuietly(server);
        break;
      }
      Link link = new Link(client, server, (start + i) % size);
      links.add(link);
      link.start();
      return;
    }
    refused.incrementAndGet();
    resetQuietly(client);
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Link l : List.copyOf(links)) {
      l.reset();
    }
  }

  static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    closeQuietly(s);
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort
    }
  }

  /** One proxied connection: a pump per direction. */
  private final class Link {
    private final Socket client;
    private final Socket server;
    private final int backend;
    private volatile boolean held;
    private volatile boolean done;
    private final AtomicInteger ended = new AtomicInteger();

    Link(Socket client, Socket server, int backend) {
      this.client = client;
      this.server = server;
      this.backend = backend;
    }

    void start() {
      for (boolean up : new boolean[] {true, false}) {
        Thread t =
            new Thread(
                () -> pump(up ? client : server, up ? server : client),
                "chaos-proxy-" + name + (up ? "-up" : "-down"));
        t.setDaemon(true);
        t.start();
      }
    }

    private void pump(Socket from, Socket to) {
      byte[] buf = new byte[16384];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          awaitNotHeld();
          int n = in.read(buf);
          if (n < 0) {
            awaitNotHeld();
            if (!done) {
              to.shutdownOutput(); // pass the FIN on
            }
            return;
          }
          awaitNotHeld();
          if (done) {
            return;
          }
          out.write(buf, 0, n);
        }
      } catch (IOException | InterruptedException e) {
        reset();
      } finally {
        if (ended.incrementAndGet() == 2) {
          finish();
        }
      }
    }

    private synchronized void awaitNotHeld() throws InterruptedException {
      while (held && !done) {
        wait();
      }
    }

    synchronized void hold() {
      held = true;
    }

    void reset() {
      synchronized (this) {
        done = true;
        notifyAll();
      }
      resetQuietly(client);
      resetQuietly(server);
      links.remove(this);
    }

    private void finish() {
      done = true;
      closeQuietly(client);
      closeQuietly(server);
      links.remove(this);
    }
  }
}
