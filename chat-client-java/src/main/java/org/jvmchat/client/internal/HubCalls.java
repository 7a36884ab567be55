package org.jvmchat.client.internal;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.internal.Futures;

/**
 * The application's calls to the hub over one session (the JS client's {@code invoke}, {@code send}
 * and {@code stream}): allocates ids (stream ids of upload arguments first, then the invocation id,
 * as the JS client does), registers what waits for an answer in {@link PendingCalls}, sends, and
 * starts the {@link UploadStreams} once the invocation went out.
 *
 * <p>Thread-safe: holds no mutable state of its own; any application thread may call it.
 */
final class HubCalls implements UploadStreams.Sink {
  private final AtomicLong ids;
  private final PendingCalls pending;
  private final UploadStreams uploads;
  private final Executor resultLane;
  private final int streamBufferCapacity;
  private final Function<HubMessage, CompletableFuture<Void>> sender;

  /**
   * @param ids the connection's id counter (shared by its sessions)
   * @param sender the session's send (fails once the session ended)
   */
  HubCalls(
      AtomicLong ids,
      PendingCalls pending,
      Executor resultLane,
      int streamBufferCapacity,
      Function<HubMessage, CompletableFuture<Void>> sender) {
    this.ids = ids;
    this.pending = pending;
    this.resultLane = resultLane;
    this.streamBufferCapacity = streamBufferCapacity;
    this.sender = sender;
    this.uploads = new UploadStreams(this);
  }

  @Override
  public String nextId() {
    return Long.toString(ids.getAndIncrement());
  }

  @Override
  public CompletableFuture<Void> send(HubMessage message) {
    return sender.apply(message);
  }

  /** An invocation whose Completion the returned future waits for. */
  CompletableFuture<Object> invoke(Type resultType, String method, Object[] arguments) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    UploadStreams.Call call = uploads.prepare(arguments);
    String id = nextId();
    pending.add(id, new InvokeCall(resultType, future, resultLane));
    sendCall(
        id, call, new InvocationMessage(Map.of(), id, method, call.arguments(), call.streamIds()));
    return future;
  }

  /** An invocation without id: the future completes once it was sent. */
  CompletableFuture<Void> send(String method, Object[] arguments) {
    UploadStreams.Call call = uploads.prepare(arguments);
    return send(new InvocationMessage(Map.of(), null, method, call.arguments(), call.streamIds()))
        .thenRun(() -> uploads.start(call));
  }

  /** A server-to-client stream delivered to {@code s}; cancelling it sends CancelInvocation. */
  void stream(Type itemType, String method, Object[] arguments, Flow.Subscriber<Object> s) {
    UploadStreams.Call call = uploads.prepare(arguments);
    String id = nextId();
    StreamCall stream =
        new StreamCall(
            id,
            itemType,
            s,
            resultLane,
            streamBufferCapacity,
            cancelled -> {
              pending.remove(cancelled);
              send(CancelInvocationMessage.of(cancelled));
            });
    pending.add(id, stream);
    stream.start();
    sendCall(
        id,
        call,
        new StreamInvocationMessage(Map.of(), id, method, call.arguments(), call.streamIds()));
  }

  /** The session ended: stops pulling from the upload publishers. */
  void cancelUploads() {
    uploads.cancelAll();
  }

  /** Sends a registered call; its uploads start once it went out, it fails if it could not. */
  private void sendCall(String id, UploadStreams.Call call, HubMessage message) {
    send(message)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                pending.fail(id, Futures.unwrap(e));
              } else {
                uploads.start(call);
              }
            });
  }
}
