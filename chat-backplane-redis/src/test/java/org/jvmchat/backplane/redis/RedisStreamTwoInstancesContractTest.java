package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.jvmchat.testing.FakeConnection;

/**
 * The lifetime-manager contract with the backplane in its stream mode: the same behaviour as on
 * pub/sub, except that messages sent while an instance is cut off reach the others once it is back.
 */
class RedisStreamTwoInstancesContractTest extends RedisBackplaneTwoInstancesContractTest {
  private final String streamKey = "backplane-test-stream-" + UUID.randomUUID();

  @Override
  protected RedisBackplaneOptions.Builder options(String url) {
    return super.options(url).stream(streamKey);
  }

  @Override
  protected boolean keepsMessagesAcrossOutages() {
    return true;
  }

  @Override
  protected void afterManagersClosed() throws Exception {
    super.afterManagersClosed();
    RedisTestSupport.deleteKeys(streamKey);
  }

  /**
   * A group send is one entry of the stream (one {@code XADD}) whichever instance sends it: not one
   * per member, not one per instance holding members.
   */
  @Test
  void aGroupSendIsOneXaddWhateverItsMembersAndTheirInstances() {
    List<FakeConnection> members = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      FakeConnection c = connect(i % 2);
      get(instance(i % 2).addToGroup(c.connectionId(), "room"));
      members.add(c);
    }
    fence(); // every subscription in place; the fences are entries too, so counted from here
    long before = streamLength();
    int sends = 7;
    for (int k = 0; k < sends; k++) {
      get(instance(k % 2).sendGroup("room", "Tick", new Object[] {k}, List.of()));
    }
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              for (FakeConnection c : members) {
                assertThat(c.argumentsOf("Tick")).as("%s", c).hasSize(sends);
              }
            });
    assertThat(streamLength() - before).isEqualTo(sends);
  }

  private long streamLength() {
    io.lettuce.core.RedisClient client =
        io.lettuce.core.RedisClient.create(RedisTestSupport.REDIS_URL);
    try (var connection = client.connect()) {
      return connection.sync().xlen(streamKey);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
