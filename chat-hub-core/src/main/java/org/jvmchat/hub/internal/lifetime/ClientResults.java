package org.jvmchat.hub.internal.lifetime;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.InvocationMessage;

/**
 * Server-to-client invocations awaiting the client's Completion, keyed by connection and invocation
 * id. Ids are {@code s1, s2, ...} so they never collide with a client's own ids.
 */
public final class ClientResults {
  private record Pending(
      String connectionId, Type type, CompletableFuture<Object> future, ScheduledFuture<?> timer) {}

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final ScheduledExecutorService scheduler;
  private final java.util.concurrent.Executor completions;

  /**
   * @param completions where results complete their futures, so that code chained on a client
   *     result never runs on the I/O thread that received it
   */
  public ClientResults(
      ScheduledExecutorService scheduler, java.util.concurrent.Executor completions) {
    this.scheduler = scheduler;
    this.completions = completions;
  }

  /**
   * Asks {@code connection}, a connection of this process, to run {@code method} and return a
   * result: the future completes with the client's Completion, fails after {@code timeout}, or when
   * the connection has ended (at once when it already has). Both lifetime managers invoke a local
   * connection this way.
   */
  public <T> CompletableFuture<T> invoke(
      String connectionId,
      HubConnectionContext connection,
      String method,
      Object[] args,
      Type resultType,
      Duration timeout) {
    String invocationId = nextId();
    CompletableFuture<T> result = register(connectionId, invocationId, resultType, timeout);
    InvocationMessage invocation =
        new InvocationMessage(null, invocationId, method, Arrays.asList(args), null);
    if (!connection.write(invocation)) {
      connectionClosed(connectionId);
    }
    return result;
  }

  public String nextId() {
    return "s" + ids.incrementAndGet();
  }

  /** Registers an invocation; the future fails with a HubException after {@code timeout}. */
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> register(
      String connectionId, String invocationId, Type type, Duration timeout) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    String key = key(connectionId, invocationId);
    ScheduledFuture<?> timer =
        scheduler.schedule(
            () -> {
              if (pending.remove(key) != null) {
                future.completeExceptionally(
                    new HubException(
                        "Timed out after "
                            + timeout.toMillis()
                            + " ms waiting for connection '"
                            + connectionId
                            + "' to return a result."));
              }
            },
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    pending.put(key, new Pending(connectionId, type, future, timer));
    return (CompletableFuture<T>) future;
  }

  public Type type(String connectionId, String invocationId) {
    Pending p = pending.get(key(connectionId, invocationId));
    return p == null ? null : p.type();
  }

  /** Completes a pending invocation; false when none had that id (it is then ignored). */
  public boolean complete(String connectionId, CompletionMessage completion) {
    Pending p = pending.remove(key(connectionId, completion.invocationId()));
    if (p == null) {
      return false;
    }
    p.timer().cancel(false);
    Runnable complete =
        () -> {
          if (completion.error() != null) {
            p.future().completeExceptionally(new HubException(completion.error()));
          } else {
            p.future().complete(completion.result());
          }
        };
    try {
      completions.execute(complete);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      complete.run();
    }
    return true;
  }

  /** Fails every invocation pending on a connection that ended. */
  public void connectionClosed(String connectionId) {
    pending
        .entrySet()
        .removeIf(
            e -> {
              if (!e.getValue().connectionId().equals(connectionId)) {
                return false;
              }
              e.getValue().timer().cancel(false);
              e.getValue()
                  .future()
                  .completeExceptionally(
                      new HubException("Connection '" + connectionId + "' disconnected."));
              return true;
            });
  }

  private static String key(String connectionId, String invocationId) {
    return connectionId + '\u0000' + invocationId;
  }
}
