package org.jvmchat.examples.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.examples.tour.FeatureTour;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.HubServer;

/**
 * The load tool: N WebSocket clients (JSON protocol, the JDK's client) connect to the feature tour;
 * one of them invokes {@code Broadcast} M times; every client counts the {@code Broadcasted}
 * messages it receives. Reports deliveries per second and the latency from send to receipt
 * (percentiles over every delivery). Bounded: it stops when everything arrived or after the
 * timeout, and exits non-zero if anything was lost.
 *
 * <pre>
 * java -cp examples/target/feature-tour.jar org.jvmchat.examples.load.BroadcastLoad \
 *     --clients 500 --messages 1000 [--url http://127.0.0.1:8080/hubs/tour] [--rate 2000]
 * </pre>
 *
 * Without {@code --url} it starts the tour in this JVM on a free port.
 */
public final class BroadcastLoad {
  private static final char RS = '\u001e';

  private BroadcastLoad() {}

  public static void main(String[] args) throws Exception {
    int clients = intArg(args, "--clients", 200);
    int messages = intArg(args, "--messages", 500);
    int rate = intArg(args, "--rate", 0);
    int timeoutSeconds = intArg(args, "--timeout", 120);
    String url = stringArg(args, "--url", null);
    HubServer server = null;
    if (url == null) {
      server =
          FeatureTour.start(0, HubOptions.builder().outboundBufferLimit(8 * 1024 * 1024).build());
      url = "http://127.0.0.1:" + server.port() + "/hubs/tour";
    }
    try {
      Result r =
          run(URI.create(url.replaceFirst("^http", "ws")), clients, messages, rate, timeoutSeconds);
      System.out.println(r);
      if (r.delivered() != (long) clients * messages) {
        System.exit(1);
      }
    } finally {
      if (server != null) {
        server.stop(Duration.ofSeconds(2));
      }
    }
  }

  /** What one run measured. */
  public record Result(
      int clients,
      int messages,
      long delivered,
      double seconds,
      long p50Micros,
      long p99Micros,
      long maxMicros) {
    @Override
    public String toString() {
      return String.format(
          "clients=%d messages=%d delivered=%d/%d in %.2f s -> %.0f deliveries/s; latency p50=%.2f ms p99=%.2f ms max=%.2f ms",
          clients,
          messages,
          delivered,
          (long) clients * messages,
          seconds,
          delivered / seconds,
          p50Micros / 1000.0,
          p99Micros / 1000.0,
          maxMicros / 1000.0);
    }
  }

  public static Result run(URI uri, int clients, int messages, int rate, int timeoutSeconds)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long expected = (long) clients * messages;
    CountDownLatch done = new CountDownLatch(clients);
    AtomicLong delivered = new AtomicLong();
    long[][] latencies = new long[clients][messages];
    List<WebSocket> sockets = new ArrayList<>();
    List<Receiver> receivers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Receiver receiver = new Receiver(latencies[i], messages, delivered, done);
      WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, receiver).get(30, TimeUnit.SECONDS);
      ws.sendText("{\"protocol\":\"json\",\"version\":1}" + RS, true).get(10, TimeUnit.SECONDS);
      receiver.handshake.get(10, TimeUnit.SECONDS);
      sockets.add(ws);
      receivers.add(receiver);
    }
    WebSocket sender = sockets.get(0);
    long start = System.nanoTime();
    long intervalNanos = rate > 0 ? 1_000_000_000L / rate : 0;
    for (int m = 0; m < messages; m++) {
      if (intervalNanos > 0) {
        long due = start + m * intervalNanos;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
      }
      String frame =
          "{\"type\":1,\"target\":\"Broadcast\",\"arguments\":[\""
              + m
              + ":"
              + System.nanoTime()
              + "\"]}"
              + RS;
      sender.sendText(frame, true).get(10, TimeUnit.SECONDS);
    }
    boolean all = done.await(timeoutSeconds, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    for (WebSocket ws : sockets) {
      ws.abort();
    }
    long[] flat = new long[(int) Math.min(expected, Integer.MAX_VALUE - 8)];
    int n = 0;
    for (Receiver r : receivers) {
      for (int j = 0; j < r.count && n < flat.length; j++) {
        flat[n++] = r.latencies[j];
      }
    }
    long[] sorted = Arrays.copyOf(flat, n);
    Arrays.sort(sorted);
    long p50 = n == 0 ? 0 : sorted[n / 2] / 1000;
    long p99 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1000;
    long max = n == 0 ? 0 : sorted[n - 1] / 1000;
    if (!all) {
      System.err.println("Not everything arrived within " + timeoutSeconds + " s");
    }
    return new Result(clients, messages, delivered.get(), seconds, p50, p99, max);
  }

  /** Counts Broadcasted messages and records their latency. */
  private static final class Receiver implements WebSocket.Listener {
    final CompletableFuture<Void> handshake = new CompletableFuture<>();
    final long[] latencies;
    final int expected;
    final AtomicLong delivered;
    final CountDownLatch done;
    final StringBuilder pending = new StringBuilder();
    int count;

    Receiver(long[] latencies, int expected, AtomicLong delivered, CountDownLatch done) {
      this.latencies = latencies;
      this.expected = expected;
      this.delivered = delivered;
      this.done = done;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      long now = System.nanoTime();
      pending.append(data);
      int sep;
      while ((sep = pending.indexOf(String.valueOf(RS))) >= 0) {
        String message = pending.substring(0, sep);
        pending.delete(0, sep + 1);
        if (!handshake.isDone()) {
          handshake.complete(null);
          continue;
        }
        int at = message.indexOf("\"Broadcasted\",\"arguments\":[\"");
        if (at >= 0 && count < latencies.length) {
          int s = message.indexOf(':', at + 28);
          int e = message.indexOf('"', s);
          long sent = Long.parseLong(message.substring(s + 1, e));
          latencies[count++] = now - sent;
          delivered.incrementAndGet();
          if (count == expected) {
            done.countDown();
          }
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      ws.request(1);
      return null;
    }
  }

  private static int intArg(String[] args, String name, int fallback) {
    String v = stringArg(args, name, null);
    return v == null ? fallback : Integer.parseInt(v);
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
