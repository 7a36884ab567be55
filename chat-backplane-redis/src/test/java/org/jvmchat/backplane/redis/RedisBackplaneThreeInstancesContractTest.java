package org.jvmchat.backplane.redis;

/** The same contract as {@link RedisBackplaneTwoInstancesContractTest}, on three instances. */
class RedisBackplaneThreeInstancesContractTest extends RedisBackplaneTwoInstancesContractTest {
  @Override
  protected int instances() {
    return 3;
  }
}
