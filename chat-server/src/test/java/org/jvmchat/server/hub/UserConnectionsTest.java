package org.jvmchat.server.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

class UserConnectionsTest {
  @Test
  void keepsEachUsersConnectionsAndForgetsAUserWithNone() {
    UserConnections users = new UserConnections();
    users.add("alice", "c1");
    users.add("alice", "c2");
    users.add("alice", "c2"); // again: once
    users.add("bob", "c3");
    assertEquals(Set.of("c1", "c2"), users.of("alice"));
    assertEquals(Set.of("c3"), users.of("bob"));

    users.remove("alice", "c1");
    users.remove("alice", "unknown");
    assertEquals(Set.of("c2"), users.of("alice"));
    users.remove("alice", "c2");
    assertEquals(Set.of(), users.of("alice"));
    users.remove("nobody", "c9");
    assertEquals(Set.of(), users.of("nobody"));
  }

  @Test
  void aSnapshotDoesNotChangeAfterwardsAndCannotBeChanged() {
    UserConnections users = new UserConnections();
    users.add("alice", "c1");
    Set<String> before = users.of("alice");
    users.add("alice", "c2");
    users.remove("alice", "c1");
    assertEquals(Set.of("c1"), before);
    assertEquals(Set.of("c2"), users.of("alice"));
    assertThrows(UnsupportedOperationException.class, () -> before.add("c3"));
  }
}
