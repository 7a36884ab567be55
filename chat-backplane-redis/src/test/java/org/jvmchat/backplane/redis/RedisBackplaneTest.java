package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.testing.TcpProxy;

/** {@link RedisBackplane} on its own, against the real Redis. */
class RedisBackplaneTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
  private final String prefix = "backplane-test-" + UUID.randomUUID() + ":";

  @BeforeAll
  static void redisMustAnswer() {
    RedisTestSupport.requireRedis();
  }

  @AfterEach
  void closeAll() throws Exception {
    // Newest first: backplanes before the proxies they use.
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private RedisBackplane backplane(String url) {
    RedisBackplane b = RedisBackplane.create(RedisTestSupport.fastOptions(url).build());
    toClose.add(b);
    return b;
  }

  private RedisBackplane connected() {
    RedisBackplane b = backplane(RedisTestSupport.REDIS_URL);
    await().atMost(TIMEOUT).until(b::isConnected);
    return b;
  }

  /** A channel name unique to this test, so parallel runs on one Redis never meet. */
  private String ch(String name) {
    return prefix + name;
  }

  private TcpProxy proxy() throws Exception {
    TcpProxy p = new TcpProxy(RedisTestSupport.HOST, RedisTestSupport.PORT);
    toClose.add(p);
    return p;
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(List<byte[]> list) {
    return list.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void publishReachesEverySubscriberAndReportsHowManyInstancesGotIt() throws Exception {
    RedisBackplane a = connected();
    RedisBackplane b = connected();
    List<byte[]> atA = new CopyOnWriteArrayList<>();
    List<byte[]> atB1 = new CopyOnWriteArrayList<>();
    List<byte[]> atB2 = new CopyOnWriteArrayList<>();
    get(a.subscribe(ch("ch"), atA::add));
    get(b.subscribe(ch("ch"), atB1::add));
    get(b.subscribe(ch("ch"), atB2::add));

    long receivers = get(a.publish(ch("ch"), bytes("one")));

    assertThat(receivers).isEqualTo(2);
    await().atMost(TIMEOUT).until(() -> atA.size() == 1 && atB1.size() == 1 && atB2.size() == 1);
    assertThat(strings(atB2)).containsExactly("one");
    assertThat(get(a.publish(ch("nobody-listens"), bytes("x")))).isZero();
  }

  @Test
  void channelNamesGoToRedisAsTheyAre() throws Exception {
    RedisBackplane b = connected();
    List<String> seen = new CopyOnWriteArrayList<>();
    RedisClient raw = RedisClient.create(RedisTestSupport.REDIS_URL);
    try (StatefulRedisPubSubConnection<String, String> sub = raw.connectPubSub()) {
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              seen.add(channel + "=" + message);
            }
          });
      sub.sync().subscribe(ch("app:/hubs/chat:all"));

      assertThat(get(b.publish(ch("app:/hubs/chat:all"), bytes("m")))).isEqualTo(1);

      await().atMost(TIMEOUT).until(() -> seen.size() == 1);
      assertThat(seen).containsExactly(ch("app:/hubs/chat:all") + "=m");
    } finally {
      raw.shutdown();
    }
  }

  @Test
  void aCallersClientIsUsedAndLeftOpen() throws Exception {
    RedisClient client = RedisClient.create();
    try {
      RedisBackplane b =
          RedisBackplane.create(
              client, RedisTestSupport.fastOptions(RedisTestSupport.REDIS_URL).build());
      toClose.add(b);
      await().atMost(TIMEOUT).until(b::isConnected);
      RedisBackplane other = connected();
      List<byte[]> seen = new CopyOnWriteArrayList<>();
      get(b.subscribe(ch("own"), seen::add));

      assertThat(get(other.publish(ch("own"), bytes("x")))).isEqualTo(1);
      await().atMost(TIMEOUT).until(() -> seen.size() == 1);

      b.close();
      assertThat(b.isConnected()).isFalse();
      assertThat(get(other.publish(ch("own"), bytes("y")))).isZero();
      try (StatefulRedisConnection<String, String> c =
          client.connect(RedisURI.create(RedisTestSupport.REDIS_URL))) {
        assertThat(c.sync().ping()).isEqualTo("PONG");
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void afterUnsubscribeNothingMoreIsDelivered() throws Exception {
    RedisBackplane a = connected();
    RedisBackplane b = connected();
    List<byte[]> kept = new CopyOnWriteArrayList<>();
    List<byte[]> dropped = new CopyOnWriteArrayList<>();
    Backplane.Subscription keep = get(b.subscribe(ch("ch"), kept::add));
    Backplane.Subscription drop = get(b.subscribe(ch("ch"), dropped::add));

    get(b.unsubscribe(drop));
    assertThat(get(a.publish(ch("ch"), bytes("1")))).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> kept.size() == 1);
    get(b.unsubscribe(keep));
    assertThat(get(a.publish(ch("ch"), bytes("2")))).isZero();
    get(b.unsubscribe(keep));
    List<byte[]> fence = new CopyOnWriteArrayList<>();
    get(b.subscribe(ch("fence"), fence::add));
    get(a.publish(ch("fence"), bytes("f")));
    await().atMost(TIMEOUT).until(() -> fence.size() == 1);

    assertThat(strings(kept)).containsExactly("1");
    assertThat(dropped).isEmpty();
  }

  @Test
  void redisUnreachableAtStartDoesNotFailAndTheBackplaneConnectsWhenItAppears() throws Exception {
    TcpProxy proxy = proxy();
    proxy.cut();
    RedisBackplane b = backplane(RedisTestSupport.viaProxy(proxy));
    RedisBackplane other = connected();
    List<byte[]> seen = new CopyOnWriteArrayList<>();

    CompletableFuture<Backplane.Subscription> subscribed = b.subscribe(ch("early"), seen::add);
    assertThat(get(subscribed).channel()).isEqualTo(ch("early"));
    assertThat(b.isConnected()).isFalse();
    assertThat(b.status().connected()).isFalse();
    assertThatThrownBy(() -> get(b.publish(ch("early"), bytes("lost"))))
        .isInstanceOf(ExecutionException.class);
    assertThat(b.status().publishFailures()).isEqualTo(1);
    assertThat(b.status().lastError()).isNotNull();

    proxy.restore();
    await().atMost(TIMEOUT).until(b::isConnected);
    assertThat(get(other.publish(ch("early"), bytes("now")))).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> seen.size() == 1);
    assertThat(strings(seen)).containsExactly("now");
  }

  @Test
  void aLostConnectionIsReportedAndSubscriptionsComeBackAfterIt() throws Exception {
    TcpProxy proxy = proxy();
    RedisBackplane b = backplane(RedisTestSupport.viaProxy(proxy));
    await().atMost(TIMEOUT).until(b::isConnected);
    RedisBackplane other = connected();
    List<byte[]> before = new CopyOnWriteArrayList<>();
    List<byte[]> during = new CopyOnWriteArrayList<>();
    Backplane.Subscription gone =
        get(b.subscribe(ch("gone"), new CopyOnWriteArrayList<byte[]>()::add));
    get(b.subscribe(ch("before"), before::add));

    proxy.cut();
    await().atMost(TIMEOUT).until(() -> !b.isConnected());
    assertThat(get(other.publish(ch("before"), bytes("lost")))).isZero();
    get(b.subscribe(ch("during"), during::add));
    get(b.unsubscribe(gone));
    proxy.restore();
    await().atMost(TIMEOUT).until(b::isConnected);

    assertThat(b.status().reconnects()).isGreaterThanOrEqualTo(1);
    assertThat(get(other.publish(ch("before"), bytes("b")))).isEqualTo(1);
    assertThat(get(other.publish(ch("during"), bytes("d")))).isEqualTo(1);
    assertThat(get(other.publish(ch("gone"), bytes("g")))).isZero();
    await().atMost(TIMEOUT).until(() -> before.size() == 1 && during.size() == 1);
    assertThat(strings(before)).containsExactly("b");
    assertThat(strings(during)).containsExactly("d");
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() throws Exception {
    RedisBackplane b = connected();
    b.close();
    b.close();

    assertThat(b.isConnected()).isFalse();
    assertThatThrownBy(() -> get(b.publish(ch("x"), bytes("x"))))
        .isInstanceOf(ExecutionException.class);
    assertThatThrownBy(() -> get(b.subscribe(ch("x"), p -> {})))
        .isInstanceOf(ExecutionException.class);
  }
}
