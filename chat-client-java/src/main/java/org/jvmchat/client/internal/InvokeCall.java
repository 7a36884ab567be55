package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;

/** A pending {@code invoke}: its future completes on the result lane. */
final class InvokeCall implements PendingCall {
  private final Type resultType;
  private final CompletableFuture<Object> future;
  private final Executor resultLane;

  InvokeCall(Type resultType, CompletableFuture<Object> future, Executor resultLane) {
    this.resultType = resultType == Void.class || resultType == void.class ? null : resultType;
    this.future = future;
    this.resultLane = resultLane;
  }

  @Override
  public Type type() {
    return resultType;
  }

  @Override
  public void item(Object item) {
    resultLane.execute(
        () ->
            future.completeExceptionally(
                new HubException("Streaming items were sent for a non-streaming invocation.")));
  }

  @Override
  public void complete(CompletionMessage completion) {
    resultLane.execute(
        () -> {
          if (completion.error() != null) {
            future.completeExceptionally(new HubException(completion.error()));
          } else {
            future.complete(resultType == null ? null : completion.result());
          }
        });
  }

  @Override
  public void fail(Throwable error) {
    resultLane.execute(() -> future.completeExceptionally(error));
  }
}
