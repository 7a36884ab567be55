package org.jvmchat.backplane.redis.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jvmchat.backplane.redis.RedisBackplane;
import org.jvmchat.backplane.redis.RedisBackplaneOptions;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.hub.spi.ScaleoutLifetimeManagers;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.json.JsonHubProtocol;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;
import org.jvmchat.testing.LocalBackplane;
import org.jvmchat.testing.ServerThreads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Messages between two server instances in one JVM: instance A sends, {@code receivers} connections
 * on instance B (half JSON, half MessagePack) receive. {@code backplane=redis} goes through the
 * real Redis at {@code REDIS_URL} (default {@code redis://127.0.0.1:6379}); {@code local} through
 * the in-memory backplane, i.e. the cost of the scale-out manager alone; {@code redis-stream} the
 * real Redis in the backplane's stream mode (hub messages through one stream, a fresh key per run).
 */
@State(Scope.Benchmark)
public class ScaleoutBenchmark {
  private static final int BATCH = 1000;
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  @Param({"local", "redis", "redis-stream"})
  public String backplane;

  @Param({"10"})
  public int receivers;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private HubLifetimeManager a;
  private final AtomicLong delivered = new AtomicLong();
  private String target;
  private String streamKey;
  private final Object[] args = {"room-1", "a chat message of a typical length, about sixty chars"};

  /** A connection that only counts what it is given (after taking its protocol's bytes). */
  private final class Counting implements HubConnectionContext {
    private final String id;
    private final HubProtocol protocol;

    Counting(String id, HubProtocol protocol) {
      this.id = id;
      this.protocol = protocol;
    }

    @Override
    public String connectionId() {
      return id;
    }

    @Override
    public HubUser user() {
      return null;
    }

    @Override
    public HubProtocol protocol() {
      return protocol;
    }

    @Override
    public boolean write(SerializedHubMessage message) {
      message.bytes(protocol);
      delivered.incrementAndGet();
      return true;
    }

    @Override
    public void close(String error, boolean allowReconnect) {}
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    List<HubProtocol> protocols = List.of(new JsonHubProtocol(), new MessagePackHubProtocol());
    Backplane ba;
    Backplane bb;
    String prefix = "bench-" + UUID.randomUUID() + ":";
    streamKey = prefix + "stream";
    if (backplane.equals("local")) {
      LocalBackplane.Broker broker = new LocalBackplane.Broker();
      ba = broker.connect();
      bb = broker.connect();
    } else {
      String url = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
      RedisBackplaneOptions.Builder options = RedisBackplaneOptions.builder(url);
      if (backplane.equals("redis-stream")) {
        options.stream(streamKey);
      }
      ba = RedisBackplane.create(options.build());
      bb = RedisBackplane.create(options.build());
    }
    toClose.add(ba);
    toClose.add(bb);
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (!ba.isConnected() || !bb.isConnected()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("The " + backplane + " backplane did not connect");
      }
      LockSupport.parkNanos(10_000_000);
    }
    ServerThreads threads = new ServerThreads();
    toClose.add(0, threads);
    a =
        ScaleoutLifetimeManagers.factory(ba, prefix)
            .create(threads.context("/hubs/bench", protocols));
    HubLifetimeManager b =
        ScaleoutLifetimeManagers.factory(bb, prefix)
            .create(threads.context("/hubs/bench", protocols));
    toClose.add(0, a);
    toClose.add(0, b);
    for (int i = 0; i < receivers; i++) {
      Counting c = new Counting("b-" + i, protocols.get(i % 2));
      b.onConnected(c).get(10, TimeUnit.SECONDS);
      b.addToGroup(c.connectionId(), "room").get(10, TimeUnit.SECONDS);
      target = c.connectionId();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (backplane.equals("redis-stream")) {
      String url = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(url);
      try (var connection = client.connect()) {
        connection.sync().del(streamKey);
      } finally {
        client.shutdown();
      }
    }
  }

  private void awaitDelivered(long expected) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (delivered.get() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Only " + delivered.get() + " of " + expected + " deliveries arrived");
      }
      Thread.onSpinWait();
    }
  }

  /** Group sends from A, each delivered to every receiver on B; one op = one send. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public void groupSendAcrossInstances() {
    long expected = delivered.get() + (long) BATCH * receivers;
    for (int i = 0; i < BATCH; i++) {
      a.sendGroup("room", "ReceiveMessage", args, List.of());
    }
    awaitDelivered(expected);
  }

  /** One direct send from A to a connection on B, until it is delivered. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public void directSendRoundTrip() {
    long expected = delivered.get() + 1;
    a.sendConnection(target, "ReceiveMessage", args);
    awaitDelivered(expected);
  }
}
