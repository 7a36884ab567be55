package org.jvmchat.testing;

import org.jvmchat.hub.spi.UserGroupStore;

/** {@link UserGroupStore#inMemory()} against the store contract. */
class InMemoryUserGroupStoreContractTest extends UserGroupStoreContract {
  private final UserGroupStore store = UserGroupStore.inMemory();

  @Override
  protected UserGroupStore store() {
    return store;
  }
}
