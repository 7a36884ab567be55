package org.jvmchat.hub.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.GroupManager;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubCallerClients;
import org.jvmchat.hub.HubCallerContext;

class HubAccessTest {

  /** Exposes what the dispatcher attached. */
  static final class ProbeHub extends Hub {
    HubCallerContext attachedContext() {
      return context();
    }

    HubCallerClients attachedClients() {
      return clients();
    }

    GroupManager attachedGroups() {
      return groups();
    }
  }

  @Test
  void attachesContextClientsAndGroupsToAHub() {
    ProbeHub hub = new ProbeHub();
    HubCallerContext context = stub(HubCallerContext.class);
    HubCallerClients clients = stub(HubCallerClients.class);
    GroupManager groups = stub(GroupManager.class);

    HubAccess.attach(hub, context, clients, groups);

    assertThat(hub.attachedContext()).isSameAs(context);
    assertThat(hub.attachedClients()).isSameAs(clients);
    assertThat(hub.attachedGroups()).isSameAs(groups);
  }

  @Test
  void refusesASecondAttacherOnceHubInstalledItsOwn() {
    new ProbeHub(); // Hub's static initializer has installed its attacher
    assertThatThrownBy(() -> HubAccess.install((hub, context, clients, groups) -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("installed once");
  }

  private static <T> T stub(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (method.getName().equals("toString")) {
                return type.getSimpleName() + " stub";
              }
              throw new UnsupportedOperationException(method.getName());
            }));
  }
}
