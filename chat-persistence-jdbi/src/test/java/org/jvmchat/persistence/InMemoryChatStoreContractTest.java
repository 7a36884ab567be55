package org.jvmchat.persistence;

class InMemoryChatStoreContractTest extends ChatStoreContractTest {
  @Override
  protected ChatStore openStore() {
    return new InMemoryChatStore();
  }
}
