package org.jvmchat.persistence;

/**
 * The contract against the PostgreSQL at {@code DATABASE_URL} (default: the local {@code test}
 * database), in a schema of its own that is dropped afterwards. Fails when it is unavailable.
 */
class ExternalPostgresChatStoreContractTest extends ChatStoreContractTest {
  private StoreOptions settings;

  @Override
  protected ChatStore openStore() {
    settings = TestDatabases.externalSettings().build();
    return ChatStores.open(settings);
  }

  @Override
  protected void closeStore(ChatStore store) throws Exception {
    store.close();
    TestDatabases.dropSchema(settings.databaseUrl(), settings.schema());
  }
}
