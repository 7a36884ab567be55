package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The default asynchronous forms of {@link GroupMembershipStore}: a store that only has the
 * blocking methods is called on the executor the caller gives, never on the caller's thread.
 */
class GroupMembershipStoreDefaultsTest {
  /** Blocking methods only; records the thread each ran on. */
  static final class BlockingOnly implements GroupMembershipStore {
    final List<String> threads = new ArrayList<>();

    @Override
    public synchronized boolean joinGroup(String userId, String roomId) {
      threads.add("joinGroup on " + Thread.currentThread().getName());
      if (roomId.equals("missing")) {
        throw new NoSuchRoomException(roomId);
      }
      return true;
    }

    @Override
    public synchronized boolean leaveGroup(String userId, String roomId) {
      return false;
    }

    @Override
    public synchronized List<String> groupsOf(String userId) {
      threads.add("groupsOf on " + Thread.currentThread().getName());
      return List.of("r1");
    }
  }

  /** Runs each task on a new thread named "blocking-pool". */
  static final Executor POOL =
      task -> {
        Thread t = new Thread(task, "blocking-pool");
        t.start();
      };

  @Test
  void theBlockingMethodsRunOnTheGivenExecutor() {
    BlockingOnly store = new BlockingOnly();
    assertThat(store.joinAsync("u", "r1", false, POOL).join()).isTrue();
    assertThat(store.groupsOfAsync("u", POOL).join()).containsExactly("r1");
    assertThat(store.threads)
        .containsExactly("joinGroup on blocking-pool", "groupsOf on blocking-pool");
  }

  @Test
  void whatTheBlockingMethodThrowsFailsTheFuture() {
    assertThat(new BlockingOnly().joinAsync("u", "missing", false, POOL))
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(NoSuchRoomException.class);
  }

  @Test
  void aFullExecutorFailsTheFutureInsteadOfThrowing() {
    Executor full =
        task -> {
          throw new RejectedExecutionException("full");
        };
    BlockingOnly store = new BlockingOnly();
    assertThat(store.joinAsync("u", "r1", true, full))
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(store.groupsOfAsync("u", full)).isCompletedExceptionally();
    assertThat(store.threads).isEmpty();
  }
}
