package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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

  private RedisBackplane backplane(String url, String channelPrefix) {
    RedisBackplane b =
        RedisBackplane.create(
            RedisTestSupport.fastOptions(url).channelPrefix(channelPrefix).build());
    toClose.add(b);
    return b;
  }

  private RedisBackplane connected(String channelPrefix) {
    RedisBackplane b = backplane(RedisTestSupport.REDIS_URL, channelPrefix);
    await().atMost(TIMEOUT).until(b::isConnected);
    return b;
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
    RedisBackplane a = connected(prefix);
    RedisBackplane b = connected(prefix);
    List<byte[]> atA = new CopyOnWriteArrayList<>();
    List<byte[]> atB1 = new CopyOnWriteArrayList<>();
    List<byte[]> atB2 = new CopyOnWriteArrayList<>();
    get(a.subscribe("ch", atA::add));
    get(b.subscribe("ch", atB1::add));
    get(b.subscribe("ch", atB2::add));

    long receivers = get(a.publish("ch", bytes("one")));

    assertThat(receivers).isEqualTo(2);
    await().atMost(TIMEOUT).until(() -> atA.size() == 1 && atB1.size() == 1 && atB2.size() == 1);
    assertThat(strings(atB2)).containsExactly("one");
    assertThat(get(a.publish("nobody-listens", bytes("x")))).isZero();
  }

  @Test
  void theChannelPrefixIsPrependedOnTheWireAndIsolatesApplications() throws Exception {
    RedisBackplane app1 = connected(prefix + "app1:");
    RedisBackplane app2 = connected(prefix + "app2:");
    RedisBackplane raw = connected("");
    List<byte[]> at1 = new CopyOnWriteArrayList<>();
    List<byte[]> at2 = new CopyOnWriteArrayList<>();
    List<byte[]> rawSeen = new CopyOnWriteArrayList<>();
    get(app1.subscribe("ch", at1::add));
    get(app2.subscribe("ch", at2::add));
    get(raw.subscribe(prefix + "app1:ch", rawSeen::add));

    assertThat(get(app1.publish("ch", bytes("for-app1")))).isEqualTo(2);
    get(app2.publish("ch", bytes("for-app2")));

    await().atMost(TIMEOUT).until(() -> at1.size() == 1 && at2.size() == 1 && rawSeen.size() == 1);
    assertThat(strings(at1)).containsExactly("for-app1");
    assertThat(strings(at2)).containsExactly("for-app2");
    assertThat(strings(rawSeen)).containsExactly("for-app1");
  }

  @Test
  void afterUnsubscribeNothingMoreIsDelivered() throws Exception {
    RedisBackplane a = connected(prefix);
    RedisBackplane b = connected(prefix);
    List<byte[]> kept = new CopyOnWriteArrayList<>();
    List<byte[]> dropped = new CopyOnWriteArrayList<>();
    Backplane.Subscription keep = get(b.subscribe("ch", kept::add));
    Backplane.Subscription drop = get(b.subscribe("ch", dropped::add));

    get(b.unsubscribe(drop));
    assertThat(get(a.publish("ch", bytes("1")))).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> kept.size() == 1);
    get(b.unsubscribe(keep));
    assertThat(get(a.publish("ch", bytes("2")))).isZero();
    get(b.unsubscribe(keep));
    List<byte[]> fence = new CopyOnWriteArrayList<>();
    get(b.subscribe("fence", fence::add));
    get(a.publish("fence", bytes("f")));
    await().atMost(TIMEOUT).until(() -> fence.size() == 1);

    assertThat(strings(kept)).containsExactly("1");
    assertThat(dropped).isEmpty();
  }

  @Test
  void redisUnreachableAtStartDoesNotFailAndTheBackplaneConnectsWhenItAppears() throws Exception {
    TcpProxy proxy = proxy();
    proxy.cut();
    RedisBackplane b = backplane(RedisTestSupport.viaProxy(proxy), prefix);
    RedisBackplane other = connected(prefix);
    List<byte[]> seen = new CopyOnWriteArrayList<>();

    CompletableFuture<Backplane.Subscription> subscribed = b.subscribe("early", seen::add);
    assertThat(get(subscribed).channel()).isEqualTo("early");
    assertThat(b.isConnected()).isFalse();
    assertThat(b.status().connected()).isFalse();
    assertThatThrownBy(() -> get(b.publish("early", bytes("lost"))))
        .isInstanceOf(ExecutionException.class);
    assertThat(b.status().publishFailures()).isEqualTo(1);
    assertThat(b.status().lastError()).isNotNull();

    proxy.restore();
    await().atMost(TIMEOUT).until(b::isConnected);
    assertThat(get(other.publish("early", bytes("now")))).isEqualTo(1);
    await().atMost(TIMEOUT).until(() -> seen.size() == 1);
    assertThat(strings(seen)).containsExactly("now");
  }

  @Test
  void aLostConnectionIsReportedAndSubscriptionsComeBackAfterIt() throws Exception {
    TcpProxy proxy = proxy();
    RedisBackplane b = backplane(RedisTestSupport.viaProxy(proxy), prefix);
    await().atMost(TIMEOUT).until(b::isConnected);
    RedisBackplane other = connected(prefix);
    List<byte[]> before = new CopyOnWriteArrayList<>();
    List<byte[]> during = new CopyOnWriteArrayList<>();
    Backplane.Subscription gone = get(b.subscribe("gone", new CopyOnWriteArrayList<byte[]>()::add));
    get(b.subscribe("before", before::add));

    proxy.cut();
    await().atMost(TIMEOUT).until(() -> !b.isConnected());
    assertThat(get(other.publish("before", bytes("lost")))).isZero();
    get(b.subscribe("during", during::add));
    get(b.unsubscribe(gone));
    proxy.restore();
    await().atMost(TIMEOUT).until(b::isConnected);

    assertThat(b.status().reconnects()).isGreaterThanOrEqualTo(1);
    assertThat(get(other.publish("before", bytes("b")))).isEqualTo(1);
    assertThat(get(other.publish("during", bytes("d")))).isEqualTo(1);
    assertThat(get(other.publish("gone", bytes("g")))).isZero();
    await().atMost(TIMEOUT).until(() -> before.size() == 1 && during.size() == 1);
    assertThat(strings(before)).containsExactly("b");
    assertThat(strings(during)).containsExactly("d");
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() throws Exception {
    RedisBackplane b = connected(prefix);
    b.close();
    b.close();

    assertThat(b.isConnected()).isFalse();
    assertThatThrownBy(() -> get(b.publish("x", bytes("x"))))
        .isInstanceOf(ExecutionException.class);
    assertThatThrownBy(() -> get(b.subscribe("x", p -> {}))).isInstanceOf(ExecutionException.class);
  }
}
