package org.jvmchat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * stop() releases every thread the connection created. Left out of the count, because they are not
 * the client's: OkHttp's process-wide task runner ("OkHttp TaskRunner", renamed to e.g. "OkHttp
 * ConnectionPool connection closer" while it runs a pool task; shared by every OkHttp client and by
 * MockWebServer, idle threads exit after 60 s), Okio's single timeout watchdog ("Okio Watchdog",
 * exits when idle), and the fake server's threads.
 */
class ResourceCleanupTest extends ClientTestSupport {

  private static Set<String> clientThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (t.isAlive()
          && !n.startsWith("OkHttp TaskRunner")
          && !n.startsWith("OkHttp ConnectionPool")
          && !n.startsWith("Okio Watchdog")
          && !n.startsWith("MockWebServer")
          && !n.startsWith("fake-hub")
          && !n.startsWith("ForkJoinPool")
          && !n.startsWith("awaitility")) {
        names.add(n + "#" + t.getId());
      }
    }
    return names;
  }

  private static int clientThreadCount() {
    return clientThreads().size();
  }

  @Test
  void fiftyStartStopCyclesLeaveNoThreadBehind() {
    // Warm up the JVM's own lazily started threads (e.g. the cleaner of the first socket).
    HubConnection warm = track(builder().build());
    join(warm.start());
    join(warm.stop());
    await()
        .atMost(WAIT)
        .until(() -> clientThreads().stream().noneMatch(n -> n.startsWith("jvmchat-client-")));
    Set<String> baseline = clientThreads();

    HttpTransportType[] transports = HttpTransportType.values();
    for (int i = 0; i < 50; i++) {
      HubConnection c =
          builder()
              .transports(transports[i % transports.length])
              .keepAliveInterval(Duration.ofMillis(50))
              .build();
      join(c.start());
      assertThat(join(c.invoke(String.class, "Echo", "cycle " + i))).isEqualTo("cycle " + i);
      join(c.stop());
    }
    // No thread that was not there before (JVM threads may also have ended meanwhile).
    await().atMost(WAIT).untilAsserted(() -> assertThat(baseline).containsAll(clientThreads()));
    assertThat(clientThreads()).noneMatch(n -> n.startsWith("jvmchat-client-"));
    System.out.println(
        "ResourceCleanupTest: "
            + baseline.size()
            + " threads before 50 start/stop cycles, "
            + clientThreadCount()
            + " after");
  }

  @Test
  void closeReleasesThreadsButNotWhatTheApplicationGave() throws Exception {
    ExecutorService appExecutor = Executors.newSingleThreadExecutor();
    OkHttpClient appClient = new OkHttpClient();
    try {
      HubConnection c = builder().executor(appExecutor).httpClient(appClient).build();
      join(c.start());
      assertThat(join(c.invoke(String.class, "Echo", "mine"))).isEqualTo("mine");
      c.close();
      assertThat(c.state()).isEqualTo(HubConnectionState.Disconnected);
      assertThat(appExecutor.isShutdown()).isFalse();
      assertThat(appExecutor.submit(() -> 1).get(5, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(appClient.dispatcher().executorService().isShutdown()).isFalse();
      await()
          .atMost(WAIT)
          .until(() -> clientThreads().stream().noneMatch(n -> n.startsWith("jvmchat-client-")));
    } finally {
      appExecutor.shutdownNow();
      appClient.dispatcher().executorService().shutdown();
      appClient.connectionPool().evictAll();
    }
  }

  @Test
  void aConnectionCanBeRestartedAfterStop() {
    HubConnection c = track(builder().build());
    for (int i = 0; i < 3; i++) {
      join(c.start());
      assertThat(join(c.invoke(Integer.class, "Add", i, 1))).isEqualTo(i + 1);
      join(c.stop());
    }
  }
}
