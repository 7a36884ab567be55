package org.jvmchat.hub.internal.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.transport.WebSocketTransport;

/**
 * When a connection stops reading (issue #27): at the invocation queue's bound and while an upload
 * stream is full, both through the one mechanism, so that neither resumes reading while the other
 * still holds it. On Netty's {@link EmbeddedChannel} (its {@code autoRead} is what a socket's
 * reading follows); hub methods run inline on the test thread.
 */
class ReadPauseTest {
  private static final char RS = '\u001e';

  /** What the hub's methods hand to the test. */
  static final class Probe {
    static volatile Flow.Subscription subscription;
    static final List<String> items = new ArrayList<>();
    static volatile CompletableFuture<Integer> collected;
  }

  /** {@code collect(stream)} subscribes and takes items only when the test requests them. */
  public static class StreamHub extends Hub {
    public CompletableFuture<Integer> collect(Flow.Publisher<String> stream) {
      CompletableFuture<Integer> done = new CompletableFuture<>();
      Probe.collected = done;
      stream.subscribe(
          new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
              Probe.subscription = s;
            }

            @Override
            public void onNext(String item) {
              synchronized (Probe.items) {
                Probe.items.add(item);
              }
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
          });
      return done;
    }

    public String echo(String text) {
      return text;
    }
  }

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private EmbeddedChannel channel;

  @AfterEach
  void tearDown() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
    scheduler.shutdownNow();
    Probe.subscription = null;
    Probe.collected = null;
    synchronized (Probe.items) {
      Probe.items.clear();
    }
  }

  private ServerConnection connect(HubOptions options) {
    HubEndpoint endpoint =
        new HubEndpoint(
            HubMapping.builder("/hub", StreamHub::new).options(options).build(),
            List.of(),
            new SameThreadExecutor(),
            scheduler,
            null,
            List.of(),
            new WriteScheduler.Registry(),
            ConnectionTokens.unsigned(),
            null);
    ServerConnection c = endpoint.newConnection("id", "token", null, false);
    channel = new EmbeddedChannel();
    WebSocketTransport t = new WebSocketTransport(channel, c, c.outbound());
    channel.pipeline().addLast("ws-transport", t);
    c.attach(t);
    send("{\"protocol\":\"json\",\"version\":1}" + RS);
    return c;
  }

  private void send(String text) {
    channel.writeInbound(new TextWebSocketFrame(text));
    settle();
  }

  /** Runs what the event loop has pending (drains, resumes); returns what was written, as text. */
  private String settle() {
    channel.runPendingTasks();
    StringBuilder out = new StringBuilder();
    Object o;
    while ((o = channel.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        out.append(b.toString(StandardCharsets.UTF_8));
        b.release();
      }
    }
    return out.toString();
  }

  private static String item(String value) {
    return "{\"type\":2,\"invocationId\":\"s\",\"item\":\"" + value + "\"}" + RS;
  }

  private static int received() {
    synchronized (Probe.items) {
      return Probe.items.size();
    }
  }

  @Test
  void aFullUploadStreamStopsParsingAndReadingUntilTheMethodTakesItems() {
    connect(HubOptions.builder().streamBufferCapacity(3).build());
    send(
        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"collect\",\"arguments\":[],\"streamIds\":[\"s\"]}"
            + RS);
    assertNotNull(Probe.subscription, "collect subscribed");

    // Eight items in one frame: the buffer (3) fills, the other five stay unparsed.
    StringBuilder frame = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      frame.append(item("i" + i));
    }
    send(frame.toString());
    assertFalse(channel.config().isAutoRead(), "reading stopped while the stream is full");
    assertEquals(0, received());

    Probe.subscription.request(100);
    settle();
    assertEquals(8, received(), "every item, the held ones too");
    assertTrue(channel.config().isAutoRead(), "reading resumed once the method took items");
  }

  @Test
  void readingResumesOnlyWhenNeitherTheInvocationBoundNorAFullStreamHoldsIt() {
    ServerConnection c =
        connect(HubOptions.builder().streamBufferCapacity(1).maxQueuedInvocations(2).build());
    // collect takes the lane (one invocation at a time) until the test completes it; its stream
    // fills with the first item; the two Echos after it wait unparsed.
    send(
        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"collect\",\"arguments\":[],\"streamIds\":[\"s\"]}"
            + RS
            + item("a")
            + echo("2")
            + echo("3"));
    assertFalse(channel.config().isAutoRead(), "stopped: the stream is full");

    // The stream has room again, so Echo 2 is parsed: with collect, the queue is at its bound (2),
    // and reading stays stopped although the stream no longer holds it.
    Probe.subscription.request(10);
    assertTrue(settle().isEmpty(), "nothing answered yet");
    assertEquals(1, received());
    assertFalse(channel.config().isAutoRead(), "stopped: the invocation queue is at its bound");

    // collect completes: Echo 2 runs, the queue falls below its resume mark, Echo 3 is parsed and
    // runs, reading resumes.
    Probe.collected.complete(1);
    String answered = settle();
    assertTrue(answered.contains("\"invocationId\":\"1\""), answered);
    assertTrue(answered.contains("\"invocationId\":\"2\""), answered);
    assertTrue(answered.contains("\"invocationId\":\"3\""), answered);
    assertTrue(channel.config().isAutoRead(), "reading resumed");
    assertEquals(ServerConnection.State.ACTIVE, c.state());
  }

  private static String echo(String id) {
    return "{\"type\":1,\"invocationId\":\""
        + id
        + "\",\"target\":\"echo\",\"arguments\":[\"x\"]}"
        + RS;
  }
}
