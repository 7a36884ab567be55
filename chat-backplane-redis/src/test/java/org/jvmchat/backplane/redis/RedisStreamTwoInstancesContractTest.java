package org.jvmchat.backplane.redis;

import java.util.UUID;

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
}
