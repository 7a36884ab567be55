package org.jvmchat.backplane.redis;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.jvmchat.hub.spi.UserGroupStore;
import org.jvmchat.testing.UserGroupStoreContract;

/** {@link RedisBackplane#userGroupStore()} on the real Redis against the store contract. */
class RedisUserGroupStoreContractTest extends UserGroupStoreContract {
  private static RedisBackplane backplane;

  @BeforeAll
  static void connect() {
    RedisTestSupport.requireRedis();
    backplane =
        RedisBackplane.create(RedisTestSupport.fastOptions(RedisTestSupport.REDIS_URL).build());
    await().atMost(Duration.ofSeconds(10)).until(backplane::isConnected);
  }

  @AfterAll
  static void close() {
    if (backplane != null) {
      backplane.close();
    }
  }

  @Override
  protected UserGroupStore store() {
    return backplane.userGroupStore();
  }
}
