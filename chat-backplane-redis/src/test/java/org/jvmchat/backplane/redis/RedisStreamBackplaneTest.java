package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.testing.TcpProxy;

/**
 * {@link RedisBackplane}'s stream mode against the real Redis, each instance through its own TCP
 * proxy so that one can be cut off: what is sent during an outage within the bound arrives after
 * it, in order, once; beyond the bound the loss is counted on both sides.
 */
class RedisStreamBackplaneTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
  private final String streamKey = "backplane-test-stream-" + UUID.randomUUID();
  private final String channel = "backplane-test-" + UUID.randomUUID() + ":all";

  @BeforeAll
  static void redisMustAnswer() {
    RedisTestSupport.requireRedis();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    RedisTestSupport.deleteKeys(streamKey);
  }

  private TcpProxy proxy() throws Exception {
    TcpProxy p = new TcpProxy(RedisTestSupport.HOST, RedisTestSupport.PORT);
    toClose.add(p);
    return p;
  }

  private RedisBackplane backplane(TcpProxy proxy, int publishBuffer, int maxLength) {
    RedisBackplane b =
        RedisBackplane.create(
            RedisTestSupport.fastOptions(RedisTestSupport.viaProxy(proxy)).stream(streamKey)
                .publishBuffer(publishBuffer)
                .streamMaxLength(maxLength)
                .build());
    toClose.add(b);
    await().atMost(TIMEOUT).until(b::isConnected);
    return b;
  }

  private List<String> received(RedisBackplane b) throws Exception {
    List<String> got = new CopyOnWriteArrayList<>();
    b.subscribe(channel, bytes -> got.add(new String(bytes, StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);
    return got;
  }

  private static byte[] msg(int i) {
    return ("m" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> expected(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
  }

  @Test
  void whatAPublisherSendsWhileCutOffArrivesAfterwardsInOrderOnce() throws Exception {
    TcpProxy pa = proxy();
    RedisBackplane a = backplane(pa, 1000, 10_000);
    RedisBackplane b = backplane(proxy(), 1000, 10_000);
    List<String> got = received(b);

    a.deliver(channel, msg(0)).get(5, TimeUnit.SECONDS);
    await().atMost(TIMEOUT).until(() -> got.size() == 1);
    pa.cut();
    await().atMost(TIMEOUT).until(() -> !a.isConnected());
    for (int i = 1; i < 200; i++) {
      a.deliver(channel, msg(i)).get(5, TimeUnit.SECONDS); // kept: never waits for the outage
    }
    assertThat(a.bufferedMessages()).isEqualTo(199);
    assertThat(got).containsExactly("m0");

    pa.restore();
    await().atMost(TIMEOUT).until(() -> got.size() >= 200);
    a.deliver(channel, msg(200)).get(5, TimeUnit.SECONDS);
    await().atMost(TIMEOUT).until(() -> got.size() >= 201);
    assertThat(got).containsExactlyElementsOf(expected(0, 201));
    assertThat(a.lostMessages()).isZero();
    assertThat(b.lostMessages()).isZero();
    assertThat(a.bufferedMessages()).isZero();
  }

  @Test
  void aReaderCutOffReadsWhatItMissedFromTheStreamInOrderOnce() throws Exception {
    RedisBackplane a = backplane(proxy(), 1000, 10_000);
    TcpProxy pb = proxy();
    RedisBackplane b = backplane(pb, 1000, 10_000);
    List<String> got = received(b);

    a.deliver(channel, msg(0)).get(5, TimeUnit.SECONDS);
    await().atMost(TIMEOUT).until(() -> got.size() == 1);
    pb.cut();
    await().atMost(TIMEOUT).until(() -> !b.isConnected());
    for (int i = 1; i < 300; i++) {
      a.deliver(channel, msg(i)).get(5, TimeUnit.SECONDS);
    }
    assertThat(a.bufferedMessages()).as("Redis took them").isZero();

    pb.restore();
    await().atMost(TIMEOUT).until(() -> got.size() >= 300);
    await().atMost(TIMEOUT).until(b::isConnected);
    assertThat(got).containsExactlyElementsOf(expected(0, 300));
    assertThat(b.lostMessages()).isZero();
  }

  @Test
  void bothSidesSendingAcrossAnOutageOfBothKeepEachSendersOrder() throws Exception {
    TcpProxy pa = proxy();
    TcpProxy pb = proxy();
    RedisBackplane a = backplane(pa, 1000, 10_000);
    RedisBackplane b = backplane(pb, 1000, 10_000);
    List<String> atA = received(a);
    List<String> atB = received(b);

    pa.cut();
    pb.cut();
    await().atMost(TIMEOUT).until(() -> !a.isConnected() && !b.isConnected());
    for (int i = 0; i < 100; i++) {
      a.deliver(channel, ("a" + i).getBytes(StandardCharsets.UTF_8));
      b.deliver(channel, ("b" + i).getBytes(StandardCharsets.UTF_8));
    }
    pa.restore();
    pb.restore();
    await().atMost(TIMEOUT).until(() -> atA.size() >= 200 && atB.size() >= 200);
    for (List<String> got : List.of(atA, atB)) {
      assertThat(got).hasSize(200).doesNotHaveDuplicates();
      List<String> fromA = new ArrayList<>();
      List<String> fromB = new ArrayList<>();
      for (String s : got) {
        (s.startsWith("a") ? fromA : fromB).add(s);
      }
      assertThat(fromA)
          .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "a" + i).toList());
      assertThat(fromB)
          .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "b" + i).toList());
    }
  }

  @Test
  void beyondThePublishBufferTheOldestAreDroppedCountedAndSeenAsMissing() throws Exception {
    TcpProxy pa = proxy();
    RedisBackplane a = backplane(pa, 10, 10_000);
    RedisBackplane b = backplane(proxy(), 10, 10_000);
    List<String> got = received(b);

    a.deliver(channel, msg(0)).get(5, TimeUnit.SECONDS);
    await().atMost(TIMEOUT).until(() -> got.size() == 1);
    pa.cut();
    await().atMost(TIMEOUT).until(() -> !a.isConnected());
    for (int i = 1; i <= 30; i++) {
      a.deliver(channel, msg(i)).get(5, TimeUnit.SECONDS);
    }
    assertThat(a.lostMessages()).isEqualTo(20);
    assertThat(a.bufferedMessages()).isEqualTo(10);

    pa.restore();
    await().atMost(TIMEOUT).until(() -> got.size() >= 11);
    List<String> want = new ArrayList<>(List.of("m0"));
    want.addAll(expected(21, 31));
    assertThat(got).containsExactlyElementsOf(want);
    assertThat(b.lostMessages()).as("the gap in a's numbers").isEqualTo(20);
  }

  @Test
  void aReaderCutOffLongerThanTheStreamKeepsCountsWhatWasTrimmed() throws Exception {
    RedisBackplane a = backplane(proxy(), 5000, 100); // the burst fits a's buffer
    TcpProxy pb = proxy();
    RedisBackplane b = backplane(pb, 5000, 100);
    List<String> got = received(b);

    a.deliver(channel, msg(0)).get(5, TimeUnit.SECONDS);
    await().atMost(TIMEOUT).until(() -> got.size() == 1);
    pb.cut();
    await().atMost(TIMEOUT).until(() -> !b.isConnected());
    for (int i = 1; i <= 2000; i++) {
      a.deliver(channel, msg(i));
    }
    a.deliver(channel, msg(2001)).get(5, TimeUnit.SECONDS);

    pb.restore();
    await().atMost(TIMEOUT).until(() -> got.contains("m2001"));
    // MAXLEN ~ 100 trims whole nodes, also while b catches up with a writer that outpaces it: b
    // reads some of the 2,002 in order, once, and counts exactly those it never read.
    List<Integer> numbers = got.stream().map(m -> Integer.parseInt(m.substring(1))).toList();
    assertThat(numbers).isSorted().doesNotHaveDuplicates();
    assertThat(numbers.size()).isLessThan(2002);
    assertThat(b.lostMessages()).isEqualTo(2002 - numbers.size());
    assertThat(a.lostMessages()).isZero();
  }
}
