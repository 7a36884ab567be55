package org.jvmchat.testing;

/** The same contract as {@link LocalBackplaneTwoInstancesContractTest}, on three instances. */
class LocalBackplaneThreeInstancesContractTest extends LocalBackplaneTwoInstancesContractTest {
  @Override
  protected int instances() {
    return 3;
  }
}
