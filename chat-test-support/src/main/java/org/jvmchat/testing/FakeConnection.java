package org.jvmchat.testing;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.InvocationBinder;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.SerializedHubMessage;

/**
 * A recording {@link HubConnectionContext} for lifetime-manager tests: it keeps every message
 * written to it, decoded from the bytes its protocol would put on the wire, and can answer
 * server-to-client invocations the way a real connection's dispatcher does (the client's Completion
 * is serialized, parsed with the manager's {@code resultType}, and handed to {@code
 * setConnectionResult} of the manager holding the connection).
 */
public final class FakeConnection implements HubConnectionContext {
  /** What a client answers to an invocation: a result, an error, or nothing (never answers). */
  public sealed interface Answer permits Result, Error, Silence {}

  public record Result(Object value) implements Answer {}

  public record Error(String message) implements Answer {}

  public record Silence() implements Answer {}

  /** One write: the bytes as they would go on the wire, and the message parsed from them. */
  public record Received(byte[] bytes, HubMessage message) {}

  private final String connectionId;
  private final HubUser user;
  private final HubProtocol protocol;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile boolean open = true;
  private volatile boolean closedByServer;
  private volatile String closeReason;
  private volatile HubLifetimeManager holder;
  private volatile Function<InvocationMessage, Answer> client = m -> new Silence();
  private volatile Executor clientExecutor = Runnable::run;

  public FakeConnection(String connectionId, HubUser user, HubProtocol protocol) {
    this.connectionId = connectionId;
    this.user = user;
    this.protocol = protocol;
  }

  /** The manager this connection is connected to (set by the test when connecting). */
  public FakeConnection heldBy(HubLifetimeManager manager) {
    this.holder = manager;
    return this;
  }

  /** How this fake client answers invocations that carry an id; run on {@code executor}. */
  public FakeConnection answering(Function<InvocationMessage, Answer> client, Executor executor) {
    this.client = client;
    this.clientExecutor = executor;
    return this;
  }

  @Override
  public String connectionId() {
    return connectionId;
  }

  @Override
  public HubUser user() {
    return user;
  }

  @Override
  public HubProtocol protocol() {
    return protocol;
  }

  @Override
  public boolean write(SerializedHubMessage message) {
    if (!open) {
      return false;
    }
    byte[] bytes = message.bytes(protocol);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    HubMessage parsed = protocol.tryParse(buffer, InvocationBinder.GENERIC, Integer.MAX_VALUE);
    if (parsed == null || buffer.hasRemaining()) {
      throw new AssertionError("Not exactly one complete message in a write to " + connectionId);
    }
    received.add(new Received(bytes, parsed));
    if (parsed instanceof InvocationMessage m && m.invocationId() != null) {
      clientExecutor.execute(() -> answer(m));
    }
    return true;
  }

  private void answer(InvocationMessage invocation) {
    Answer answer = client.apply(invocation);
    CompletionMessage completion;
    if (answer instanceof Result r) {
      completion = CompletionMessage.withResult(invocation.invocationId(), r.value());
    } else if (answer instanceof Error e) {
      completion = CompletionMessage.withError(invocation.invocationId(), e.message());
    } else {
      return;
    }
    HubLifetimeManager manager = holder;
    if (manager == null || !open) {
      return;
    }
    // As a real connection: the client's bytes, parsed with the type the manager expects.
    HubMessage parsed =
        protocol.tryParse(
            ByteBuffer.wrap(protocol.toBytes(completion)),
            new InvocationBinder() {
              @Override
              public List<Type> parameterTypes(String target) {
                return null;
              }

              @Override
              public Type returnType(String invocationId) {
                return manager.resultType(connectionId, invocationId);
              }
            },
            Integer.MAX_VALUE);
    manager.setConnectionResult(connectionId, (CompletionMessage) parsed);
  }

  /**
   * The server closes this connection: recorded ({@link #closedByServer()}, {@link
   * #closeReason()}), and, as a real connection does once its transport ended, the manager holding
   * it is told it disconnected.
   */
  @Override
  public void close(String error, boolean allowReconnect) {
    HubLifetimeManager manager;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      closedByServer = true;
      closeReason = error;
      manager = holder;
    }
    if (manager != null) {
      manager.onDisconnected(this);
    }
  }

  /** Whether the server closed this connection (with {@link #close}). */
  public boolean closedByServer() {
    return closedByServer;
  }

  /** The error the server closed this connection with, or null. */
  public String closeReason() {
    return closeReason;
  }

  public boolean isOpen() {
    return open;
  }

  /** Stops accepting writes, like a closed connection. */
  public void markClosed() {
    open = false;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** Every invocation received (targets and arguments), fences excluded. */
  public List<InvocationMessage> invocations() {
    List<InvocationMessage> list = new ArrayList<>();
    for (Received r : received) {
      if (r.message() instanceof InvocationMessage m
          && !m.target().equals(HubLifetimeManagerContract.FENCE)) {
        list.add(m);
      }
    }
    return list;
  }

  /** The first argument of every invocation of {@code target}, in arrival order. */
  public List<Object> argumentsOf(String target) {
    return invocations().stream()
        .filter(m -> m.target().equals(target))
        .map(m -> m.arguments().isEmpty() ? null : m.arguments().get(0))
        .collect(Collectors.toList());
  }

  /** Fence tokens received, in order. */
  public List<Object> fences() {
    List<Object> list = new ArrayList<>();
    for (Received r : received) {
      if (r.message() instanceof InvocationMessage m
          && m.target().equals(HubLifetimeManagerContract.FENCE)) {
        list.add(m.arguments().get(0));
      }
    }
    return list;
  }

  @Override
  public String toString() {
    return "FakeConnection[" + connectionId + ", " + protocol.name() + "]";
  }
}
