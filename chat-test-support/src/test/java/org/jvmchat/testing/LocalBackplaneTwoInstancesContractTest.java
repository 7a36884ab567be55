package org.jvmchat.testing;

import java.util.ArrayList;
import java.util.List;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.UserGroupStore;

/** The contract for the scale-out manager on two instances sharing an in-memory broker. */
class LocalBackplaneTwoInstancesContractTest extends ScaleoutHubLifetimeManagerContract {
  private final LocalBackplane.Broker broker = new LocalBackplane.Broker();
  private final List<LocalBackplane> nodes = new ArrayList<>();
  private final UserGroupStore userGroups = UserGroupStore.inMemory();

  @Override
  protected int instances() {
    return 2;
  }

  @Override
  protected Backplane newBackplane(int index) {
    LocalBackplane b = broker.connect();
    nodes.add(b);
    return b;
  }

  @Override
  protected UserGroupStore userGroupStore(int index) {
    return userGroups;
  }

  @Override
  protected void cut(int index) {
    nodes.get(index).disconnect();
  }

  @Override
  protected void restore(int index) {
    nodes.get(index).reconnect();
  }
}
