package org.jvmchat.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.server.config.OperationsSettings;
import org.jvmchat.server.config.SettingsException;

/** The parts of the limits that need no server: parsing, the bucket arithmetic, addresses. */
class LimitsTest {

  @Test
  void rateLimitsParseAsCountSlashDuration() {
    assertThat(RateLimit.parse("X", "20/10s")).isEqualTo(new RateLimit(20, Duration.ofSeconds(10)));
    assertThat(RateLimit.parse("X", " 5 / 1m ")).isEqualTo(new RateLimit(5, Duration.ofMinutes(1)));
    assertThat(RateLimit.parse("X", "3/500ms").toString()).isEqualTo("3/500ms");
    assertThat(RateLimit.parse("X", "30/10s").toString()).isEqualTo("30/10s");
    assertThat(RateLimit.parse("X", "unlimited")).isNull();
    assertThat(RateLimit.parse("X", "0")).isNull();
    assertThat(RateLimit.parse("X", "")).isNull();
    for (String bad : new String[] {"20", "/10s", "20/", "0/10s", "20/0s", "x/10s", "20/ten"}) {
      assertThatThrownBy(() -> RateLimit.parse("MESSAGE_RATE_LIMIT", bad))
          .as(bad)
          .isInstanceOf(SettingsException.class)
          .hasMessageContaining("MESSAGE_RATE_LIMIT must be COUNT/DURATION like 20/10s");
    }
  }

  @Test
  void operationsSettingsReadTheEnvironmentAndRefuseBadValues() {
    OperationsSettings d = OperationsSettings.fromEnvironment(Map.of());
    assertThat(d).isEqualTo(OperationsSettings.defaults());
    OperationsSettings s =
        OperationsSettings.fromEnvironment(
            Map.of(
                "LOG_FORMAT", "JSON",
                "LOG_LEVEL", "debug",
                "MANAGEMENT_PORT", "9090",
                "MAX_CONNECTIONS_PER_USER", "5",
                "MESSAGE_RATE_LIMIT", "20/10s",
                "CONNECTION_COUNT_TTL", "30s"));
    assertThat(s.logFormat()).isEqualTo("json");
    assertThat(s.logLevel()).isEqualTo("DEBUG");
    assertThat(s.managementPort()).isEqualTo(9090);
    assertThat(s.maxConnectionsPerUser()).isEqualTo(5);
    assertThat(s.messageRateLimit()).isEqualTo(new RateLimit(20, Duration.ofSeconds(10)));
    assertThat(s.connectionCountTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> OperationsSettings.fromEnvironment(Map.of("LOG_FORMAT", "xml")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("LOG_FORMAT");
    assertThatThrownBy(
            () -> OperationsSettings.fromEnvironment(Map.of("MAX_CONNECTIONS_PER_USER", "-1")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("MAX_CONNECTIONS_PER_USER");
    assertThatThrownBy(() -> OperationsSettings.fromEnvironment(Map.of("MANAGEMENT_PORT", "70000")))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("MANAGEMENT_PORT");
  }

  @Test
  void aLocalBucketAllowsABurstThenRefillsEvenly() {
    AtomicLong now = new AtomicLong();
    LocalTokenBuckets buckets =
        new LocalTokenBuckets(new RateLimit(3, Duration.ofSeconds(3)), now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(buckets.tryTake("a")).isZero();
    }
    assertThat(buckets.tryTake("a")).isEqualTo(Duration.ofSeconds(1));
    assertThat(buckets.tryTake("b")).as("keys have buckets of their own").isZero();
    now.addAndGet(Duration.ofMillis(400).toNanos());
    assertThat(buckets.tryTake("a")).isEqualTo(Duration.ofMillis(600));
    now.addAndGet(Duration.ofMillis(600).toNanos());
    assertThat(buckets.tryTake("a")).isZero();
    assertThat(buckets.tryTake("a")).isPositive();
  }

  @Test
  void fullBucketsAreForgottenOnceThereAreMany() {
    AtomicLong now = new AtomicLong();
    LocalTokenBuckets buckets =
        new LocalTokenBuckets(new RateLimit(1, Duration.ofSeconds(1)), now::get);
    for (int i = 0; i <= LocalTokenBuckets.SWEEP_ABOVE; i++) {
      buckets.tryTake("ip" + i);
    }
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    buckets.tryTake("new");
    assertThat(buckets.size()).isEqualTo(1);
  }

  @Test
  void clientAddressesLoseTheirPort() {
    assertThat(AbuseLimits.clientIp("/127.0.0.1:5123")).isEqualTo("127.0.0.1");
    assertThat(AbuseLimits.clientIp("host/10.0.0.7:80")).isEqualTo("10.0.0.7");
    assertThat(AbuseLimits.clientIp("/[0:0:0:0:0:0:0:1]:5123")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(AbuseLimits.clientIp(null)).isEqualTo("unknown");
  }

  @Test
  void theConnectionCapCountsOpenConnectionsOfEachUserInProcess() {
    OperationsSettings settings =
        new OperationsSettings("text", "INFO", null, 1, null, null, null, Duration.ofSeconds(15));
    try (AbuseLimits limits = new AbuseLimits(settings, null, "test")) {
      org.jvmchat.hub.HubUser ann = new org.jvmchat.hub.HubUser("ann", "Ann", Map.of());
      HttpRequest request =
          new HttpRequest(
              "POST", "/hubs/chat/negotiate", null, null, null, null, "/1.2.3.4:1", ann);
      // The admission itself counts (a reservation), before the connection exists.
      assertThat(limits.admit("/hubs/chat", request)).isNull();
      HttpResponse refused = limits.admit("/hubs/chat", request);
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.headers()).containsEntry("retry-after", "5");
      assertThat(refused.headers().get("content-type")).isEqualTo("application/problem+json");
      // Its connection connects (no second count), then closes: the slot is free.
      limits.admitted("/hubs/chat", "c1", ann);
      limits.connected("/hubs/chat", "c1", ann);
      assertThat(limits.admit("/hubs/chat", request).status()).isEqualTo(429);
      limits.disconnected("/hubs/chat", "c1", ann);
      // Released without a connection (negotiate created none), or with one never connected.
      assertThat(limits.admit("/hubs/chat", request)).isNull();
      limits.released("/hubs/chat", null, ann);
      assertThat(limits.admit("/hubs/chat", request)).isNull();
      limits.admitted("/hubs/chat", "c2", ann);
      limits.released("/hubs/chat", "c2", ann);
      // A connection negotiated elsewhere counts from its handshake.
      limits.connected("/hubs/chat", "c3", ann);
      assertThat(limits.admit("/hubs/chat", request).status()).isEqualTo(429);
      limits.disconnected("/hubs/chat", "c3", ann);
      assertThat(limits.admit("/hubs/chat", request)).isNull();
    }
  }
}
