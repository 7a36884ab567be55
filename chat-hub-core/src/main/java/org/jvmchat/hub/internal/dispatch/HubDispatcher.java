package org.jvmchat.hub.internal.dispatch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jvmchat.hub.ConnectionListener;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubInvocationContext;
import org.jvmchat.hub.HubLifetimeContext;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;
import org.jvmchat.protocol.internal.Futures;
import org.jvmchat.protocol.internal.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs hub methods for the connections of one hub. Concurrency rule (as ASP.NET Core's): one
 * invocation at a time per connection, in arrival order, on the hub executor (a method marked
 * {@link org.jvmchat.hub.NonBlocking} on the connection's I/O thread when no earlier invocation of
 * the connection is still running, see {@link SerialExecutor#submitHere}); a streaming method is
 * fire-and-forget once it has returned its stream, so other invocations proceed while it streams.
 * Stream items, completions and cancels never wait behind invocations.
 */
public final class HubDispatcher {
  private static final Logger log = LoggerFactory.getLogger(HubDispatcher.class);

  private final String hubPath;
  private final Supplier<? extends Hub> factory;
  private final HubMethods methods;
  private final List<HubFilter> filters;
  private final boolean detailedErrors;
  private final Executor executor;
  private final List<ConnectionListener> listeners;
  private final boolean filtersNonBlocking;
  private final boolean onConnectedNonBlocking;
  private final int parallelInvocations; // HubOptions.maximumParallelInvocationsPerClient

  public HubDispatcher(
      String hubPath,
      Supplier<? extends Hub> factory,
      List<HubFilter> filters,
      boolean detailedErrors,
      Executor executor,
      List<ConnectionListener> listeners) {
    this(hubPath, factory, filters, detailedErrors, executor, listeners, 1);
  }

  public HubDispatcher(
      String hubPath,
      Supplier<? extends Hub> factory,
      List<HubFilter> filters,
      boolean detailedErrors,
      Executor executor,
      List<ConnectionListener> listeners,
      int parallelInvocations) {
    this.parallelInvocations = parallelInvocations;
    this.hubPath = hubPath;
    this.factory = factory;
    Hub probe = factory.get();
    this.methods = HubMethods.of(probe.getClass());
    this.filters = List.copyOf(filters);
    this.detailedErrors = detailedErrors;
    this.executor = executor;
    this.listeners = List.copyOf(listeners);
    this.filtersNonBlocking = this.filters.stream().allMatch(HubFilter::nonBlocking);
    this.onConnectedNonBlocking =
        filtersNonBlocking && HubMethods.nonBlockingOnConnected(probe.getClass());
  }

  /**
   * Whether {@link #runOnConnected} may be called on the connection's I/O thread: the hub's {@code
   * onConnectedAsync} is marked {@link org.jvmchat.hub.NonBlocking} and every filter is
   * non-blocking.
   */
  public boolean onConnectedNonBlocking() {
    return onConnectedNonBlocking;
  }

  /** For the binder: the argument types of a target, or null when there is no such method. */
  public List<Type> parameterTypes(String target) {
    HubMethodDescriptor d = methods.find(target);
    return d == null ? null : d.argumentTypes();
  }

  private Hub newHub(CallerConnection connection) {
    Hub hub = factory.get();
    HubAccess.attach(
        hub, connection.callerContext(), connection.callerClients(), connection.groupManager());
    return hub;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Runs onConnectedAsync (with filters) now, on the calling thread, and returns its stage; the
   * connection calls it from the first task of its serial order, so no invocation can run before
   * the stage completes.
   */
  public CompletableFuture<Void> runOnConnected(CallerConnection connection) {
    withMdc(connection);
    try {
      Hub hub = newHub(connection);
      HubLifetimeContext ctx = new HubLifetimeContext(connection.callerContext(), hubPath, hub);
      AtomicReference<CompletionStage<Void>> stage = new AtomicReference<>();
      connectedChain(0, ctx, stage);
      CompletionStage<Void> s = stage.get();
      return s == null
          ? CompletableFuture.completedFuture(null) // a filter did not call on
          : s.toCompletableFuture();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      MDC.clear();
    }
  }

  private void connectedChain(
      int index, HubLifetimeContext ctx, AtomicReference<CompletionStage<Void>> stage)
      throws Exception {
    if (index == filters.size()) {
      CompletionStage<Void> s = ctx.hub().onConnectedAsync();
      stage.set(s != null ? s : CompletableFuture.completedFuture(null));
      return;
    }
    filters.get(index).onConnected(ctx, c -> connectedChain(index + 1, c, stage));
  }

  /** Runs onDisconnected (with filters) after every invocation already queued. */
  public CompletableFuture<Void> onDisconnected(CallerConnection connection, Throwable error) {
    return connection
        .serial()
        .submit(
            () -> {
              withMdc(connection);
              try {
                Hub hub = newHub(connection);
                HubLifetimeContext ctx =
                    new HubLifetimeContext(connection.callerContext(), hubPath, hub);
                disconnectedChain(0, ctx, error);
              } catch (Exception e) {
                log.warn("onDisconnected of {} failed", hubPath, e);
              } finally {
                MDC.clear();
              }
              return CompletableFuture.completedFuture(null);
            });
  }

  private void disconnectedChain(int index, HubLifetimeContext ctx, Throwable error)
      throws Exception {
    if (index == filters.size()) {
      ctx.hub().onDisconnected(error);
      return;
    }
    filters.get(index).onDisconnected(ctx, error, (c, e) -> disconnectedChain(index + 1, c, e));
  }

  // ---------------------------------------------------------------- invocations

  public void bindingFailure(CallerConnection connection, InvocationBindingFailureMessage failure) {
    if (failure.invocationId() == null) {
      log.debug("Dropped non-blocking invocation of '{}': {}", failure.target(), failure.reason());
      return;
    }
    // As ASP.NET Core: the binder's text (Jackson's, naming Java types) only with detailed errors;
    // it is logged (issue #27).
    if (!failure.unknownTarget()) {
      log.debug("Binding the arguments of '{}' failed: {}", failure.target(), failure.reason());
    }
    String error =
        failure.unknownTarget()
            ? "Unknown hub method '" + failure.target() + "'"
            : "Failed to invoke '"
                + failure.target()
                + "' due to an error on the server."
                + (detailedErrors ? " InvalidDataException: " + failure.reason() : "");
    // In order with the invocations before it.
    long queued = connection.invocationQueued();
    connection
        .serial()
        .submit(
            () -> {
              connection.write(CompletionMessage.withError(failure.invocationId(), error));
              return CompletableFuture.completedFuture(null);
            })
        .whenComplete((v, e) -> connection.invocationFinished(queued));
  }

  /** Called on the connection's I/O thread for an Invocation (type 1). */
  public void invoke(CallerConnection connection, InvocationMessage message) {
    HubMethodDescriptor d = methods.find(message.target());
    String id = message.invocationId();
    if (d == null) {
      completeLater(connection, id, "Unknown hub method '" + message.target() + "'");
      return;
    }
    if (d.isStreaming()) {
      completeLater(
          connection,
          id,
          "The client attempted to invoke the streaming '"
              + d.name()
              + "' method with a non-streaming invocation.");
      return;
    }
    List<UploadStream> uploads = openUploadStreams(connection, d, id, message.streamIds());
    if (uploads == null) {
      return;
    }
    long start = System.nanoTime();
    long queued = connection.invocationQueued();
    Supplier<CompletionStage<Object>> body =
        () -> runInvocation(connection, d, message.arguments(), uploads, message.headers());
    BiConsumer<Object, Throwable> completed =
        (result, error) -> {
          connection.invocationFinished(queued);
          closeUploadStreams(connection, uploads);
          boolean failed = error != null;
          if (id != null) {
            connection.write(
                failed
                    ? CompletionMessage.withError(id, invocationError(message.target(), error))
                    : CompletionMessage.withResult(id, result == NO_RESULT ? null : result));
          } else if (failed) {
            log.debug("Non-blocking invocation of '{}' failed", d.name(), unwrap(error));
          }
          long nanos = System.nanoTime() - start;
          for (ConnectionListener l : listeners) {
            l.invocationCompleted(hubPath, d.name(), nanos, failed);
          }
        };
    if (d.nonBlocking() && filtersNonBlocking) {
      // On this I/O thread when the connection's lane is idle; else in its turn, on the executor.
      connection.serial().submitHere(body, completed, parallelInvocations);
    } else {
      connection.serial().submit(body).whenComplete(completed);
    }
  }

  private static final Object NO_RESULT = new Object();

  private CompletionStage<Object> runInvocation(
      CallerConnection connection,
      HubMethodDescriptor d,
      List<Object> arguments,
      List<UploadStream> uploads,
      Map<String, String> headers) {
    withMdc(connection);
    try {
      Hub hub = newHub(connection);
      Object result =
          callThroughFilters(connection, hub, d, allArguments(d, arguments, uploads), headers);
      if (d.resultKind() == HubMethodDescriptor.ResultKind.ASYNC) {
        if (result == null) {
          return CompletableFuture.completedFuture(null);
        }
        @SuppressWarnings("unchecked")
        CompletionStage<Object> stage = (CompletionStage<Object>) result;
        return stage;
      }
      return CompletableFuture.completedFuture(
          d.resultKind() == HubMethodDescriptor.ResultKind.VOID ? NO_RESULT : result);
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    } finally {
      MDC.clear();
    }
  }

  /** Called on the connection's I/O thread for a StreamInvocation (type 4). */
  public void streamInvoke(CallerConnection connection, StreamInvocationMessage message) {
    HubMethodDescriptor d = methods.find(message.target());
    String id = message.invocationId();
    if (d == null) {
      completeLater(connection, id, "Unknown hub method '" + message.target() + "'");
      return;
    }
    if (!d.isStreaming()) {
      completeLater(
          connection,
          id,
          "The client attempted to invoke the non-streaming '"
              + d.name()
              + "' method with a streaming invocation.");
      return;
    }
    StreamHandle handle = new StreamHandle();
    if (!connection.activeStreams().register(id, handle)) {
      completeLater(connection, id, "Invocation ID '" + id + "' is already in use.");
      return;
    }
    List<UploadStream> uploads = openUploadStreams(connection, d, id, message.streamIds());
    if (uploads == null) {
      connection.activeStreams().remove(id, handle);
      return;
    }
    long queued = connection.invocationQueued();
    connection
        .serial()
        .submit(
            () -> {
              withMdc(connection);
              try {
                Hub hub = newHub(connection);
                Object result =
                    callThroughFilters(
                        connection,
                        hub,
                        d,
                        allArguments(d, message.arguments(), uploads),
                        message.headers());
                startStream(connection, d, id, result, handle, uploads);
              } catch (Throwable t) {
                connection.activeStreams().remove(id, handle);
                closeUploadStreams(connection, uploads);
                connection.write(
                    CompletionMessage.withError(id, invocationError(message.target(), t)));
              } finally {
                MDC.clear();
              }
              return CompletableFuture.completedFuture(null);
            })
        .whenComplete((v, e) -> connection.invocationFinished(queued));
  }

  private void startStream(
      CallerConnection connection,
      HubMethodDescriptor d,
      String id,
      Object result,
      StreamHandle handle,
      List<UploadStream> uploads) {
    Runnable finished =
        () -> {
          connection.activeStreams().remove(id, handle);
          closeUploadStreams(connection, uploads);
        };
    if (result == null) {
      finished.run();
      connection.write(CompletionMessage.empty(id));
      return;
    }
    switch (d.resultKind()) {
      case PUBLISHER -> {
        @SuppressWarnings("unchecked")
        Flow.Publisher<Object> publisher = (Flow.Publisher<Object>) result;
        publisher.subscribe(new StreamSubscriber(connection, id, handle, finished));
      }
      case ITERATOR -> runIterator(connection, d, id, (Iterator<?>) result, handle, finished, null);
      case STREAM -> {
        Stream<?> stream = (Stream<?>) result;
        runIterator(connection, d, id, stream.iterator(), handle, finished, stream);
      }
      default -> throw new IllegalStateException("not a stream: " + d.resultKind());
    }
  }

  private void runIterator(
      CallerConnection connection,
      HubMethodDescriptor d,
      String id,
      Iterator<?> iterator,
      StreamHandle handle,
      Runnable finished,
      AutoCloseable resource) {
    Runnable loop =
        () -> {
          String error = null;
          try {
            while (!handle.isCancelled() && iterator.hasNext()) {
              Object item = iterator.next();
              if (handle.isCancelled()) {
                break;
              }
              connection.write(StreamItemMessage.of(id, item));
            }
          } catch (Throwable t) {
            error = streamError(t);
          } finally {
            if (resource != null) {
              try {
                resource.close();
              } catch (Exception e) {
                log.debug("Closing a stream failed", e);
              }
            }
          }
          finished.run();
          if (handle.finish()) {
            connection.write(
                error == null
                    ? CompletionMessage.empty(id)
                    : CompletionMessage.withError(id, error));
          }
        };
    try {
      executor.execute(loop);
    } catch (RejectedExecutionException e) {
      finished.run();
      connection.write(CompletionMessage.withError(id, new ServerBusyException().getMessage()));
    }
  }

  /** Subscribes a server-to-client stream and writes its items. */
  private final class StreamSubscriber implements Flow.Subscriber<Object> {
    private final CallerConnection connection;
    private final String id;
    private final StreamHandle handle;
    private final Runnable finished;
    private Flow.Subscription subscription;

    StreamSubscriber(
        CallerConnection connection, String id, StreamHandle handle, Runnable finished) {
      this.connection = connection;
      this.id = id;
      this.handle = handle;
      this.finished = finished;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (!handle.attach(s)) {
        return; // cancelled before it started: the cancel path completes it
      }
      s.request(1);
    }

    @Override
    public void onNext(Object item) {
      if (handle.isCancelled()) {
        return;
      }
      if (!connection.write(StreamItemMessage.of(id, item))) {
        subscription.cancel();
        return;
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      finish(streamError(t));
    }

    @Override
    public void onComplete() {
      finish(null);
    }

    private void finish(String error) {
      if (!handle.finish()) {
        return;
      }
      finished.run();
      connection.write(
          error == null ? CompletionMessage.empty(id) : CompletionMessage.withError(id, error));
    }
  }

  /** Called on the I/O thread for a CancelInvocation: stops the producer, completes the stream. */
  public void cancel(CallerConnection connection, String invocationId) {
    StreamHandle handle = connection.activeStreams().get(invocationId);
    if (handle == null) {
      return; // unknown or finished: ignored
    }
    if (handle.cancel()) {
      connection.activeStreams().remove(invocationId, handle);
      connection.write(CompletionMessage.empty(invocationId));
    }
  }

  // ---------------------------------------------------------------- helpers

  private List<UploadStream> openUploadStreams(
      CallerConnection connection,
      HubMethodDescriptor d,
      String invocationId,
      List<String> streamIds) {
    int expected = d.streamParameterIndexes().length;
    if (streamIds.size() != expected) {
      completeLater(
          connection,
          invocationId,
          "An unexpected error occurred invoking '"
              + d.name()
              + "' on the server. HubException: Client sent "
              + streamIds.size()
              + " stream(s), Hub method expects "
              + expected
              + ".");
      return null;
    }
    List<UploadStream> uploads = new ArrayList<>(expected);
    for (int i = 0; i < expected; i++) {
      UploadStream s = connection.openUploadStream(streamIds.get(i), d.streamItemTypes().get(i));
      if (s == null) {
        for (UploadStream opened : uploads) {
          connection.closeUploadStream(opened.streamId());
        }
        completeLater(
            connection, invocationId, "Stream ID '" + streamIds.get(i) + "' is already in use.");
        return null;
      }
      uploads.add(s);
    }
    return uploads;
  }

  private void closeUploadStreams(CallerConnection connection, List<UploadStream> uploads) {
    for (UploadStream s : uploads) {
      connection.closeUploadStream(s.streamId());
      s.complete(null);
      s.discard();
    }
  }

  private static Object[] allArguments(
      HubMethodDescriptor d, List<Object> arguments, List<UploadStream> uploads) {
    Object[] all = new Object[d.parameterCount()];
    int[] streamIndexes = d.streamParameterIndexes();
    int a = 0;
    int s = 0;
    for (int i = 0; i < all.length; i++) {
      if (s < streamIndexes.length && streamIndexes[s] == i) {
        all[i] = uploads.get(s++);
      } else {
        all[i] = arguments.get(a++);
      }
    }
    return all;
  }

  private Object callThroughFilters(
      CallerConnection connection,
      Hub hub,
      HubMethodDescriptor d,
      Object[] args,
      Map<String, String> headers)
      throws Exception {
    HubInvocationContext ctx =
        new HubInvocationContext(
            connection.callerContext(),
            hubPath,
            hub,
            d.name(),
            d.method(),
            Arrays.asList(args),
            headers);
    return invokeChain(0, ctx);
  }

  private Object invokeChain(int index, HubInvocationContext ctx) throws Exception {
    if (index == filters.size()) {
      try {
        return ctx.method().invoke(ctx.hub(), ctx.arguments().toArray());
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception ex) {
          throw ex;
        }
        throw new CompletionException(cause);
      }
    }
    return filters.get(index).invoke(ctx, c -> invokeChain(index + 1, c));
  }

  private void completeLater(CallerConnection connection, String invocationId, String error) {
    if (invocationId == null) {
      log.debug("Non-blocking invocation failed: {}", error);
      return;
    }
    // Counted like an invocation: a flood of unknown targets behind a busy lane is bounded too.
    long queued = connection.invocationQueued();
    connection
        .serial()
        .submit(
            () -> {
              connection.write(CompletionMessage.withError(invocationId, error));
              return CompletableFuture.completedFuture(null);
            })
        .whenComplete((v, e) -> connection.invocationFinished(queued));
  }

  static Throwable unwrap(Throwable t) {
    return Futures.unwrap(t);
  }

  String invocationError(String method, Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof ServerBusyException) {
      return t.getMessage();
    }
    String text = "An unexpected error occurred invoking '" + method + "' on the server.";
    if (t instanceof HubException || detailedErrors) {
      text += " " + t.getClass().getSimpleName() + ": " + t.getMessage();
    } else {
      log.warn("Hub method '{}' on {} failed", method, hubPath, t);
    }
    return text;
  }

  String streamError(Throwable error) {
    Throwable t = unwrap(error);
    String text = "An error occurred on the server while streaming results.";
    if (t instanceof HubException || detailedErrors) {
      text += " " + t.getClass().getSimpleName() + ": " + t.getMessage();
    } else {
      log.warn("A stream on {} failed", hubPath, t);
    }
    return text;
  }

  private static void withMdc(CallerConnection connection) {
    MDC.put("connectionId", connection.connectionId());
    String user = connection.userIdentifier();
    if (user != null) {
      MDC.put("userId", user);
    }
  }
}
