package org.jvmchat.backplane.redis;

/** The same contract as {@link RedisStreamTwoInstancesContractTest}, on three instances. */
class RedisStreamThreeInstancesContractTest extends RedisStreamTwoInstancesContractTest {
  @Override
  protected int instances() {
    return 3;
  }
}
