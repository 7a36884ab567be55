package org.jvmchat.hub.internal.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.HubMapping;
import org.jvmchat.hub.HubOptions;
import org.jvmchat.hub.internal.connection.ConnectionTokens;
import org.jvmchat.hub.internal.connection.WriteScheduler;
import org.jvmchat.hub.internal.transport.ServerSentEventsTransport;
import org.jvmchat.hub.internal.transport.WebSocketTransport;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.msgpack.MessagePackHubProtocol;

/**
 * The connection's pipeline on Netty's {@link EmbeddedChannel}, without a server or a socket: the
 * WebSocket transport's framing, the handler's handshake -> parse -> route -> dispatch, the SSE
 * transport's events. Hub methods run inline on the test thread, so every step is deterministic.
 */
class ConnectionPipelineTest {
  private static final char RS = '\u001e';

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (EmbeddedChannel ch : channels) {
      ch.finishAndReleaseAll();
    }
    scheduler.shutdownNow();
  }

  private HubEndpoint endpoint() {
    return endpoint(new SameThreadExecutor(), EchoHub::new);
  }

  private HubEndpoint endpoint(
      java.util.concurrent.ExecutorService hubThreads,
      java.util.function.Supplier<? extends org.jvmchat.hub.Hub> hub) {
    return new HubEndpoint(
        HubMapping.builder("/hub", hub).options(HubOptions.builder().build()).build(),
        List.of(),
        hubThreads,
        scheduler,
        null,
        List.of(),
        new WriteScheduler.Registry(),
        ConnectionTokens.unsigned(),
        null);
  }

  private EmbeddedChannel webSocket(ServerConnection c) {
    EmbeddedChannel ch = new EmbeddedChannel();
    channels.add(ch);
    WebSocketTransport t = new WebSocketTransport(ch, c, c.outbound());
    ch.pipeline().addLast("ws-transport", t);
    c.attach(t);
    return ch;
  }

  /** A frame the server wrote: opcode and payload. */
  private record Frame(int opcode, String text) {}

  /** Runs the event loop's pending drains and parses what was written (RFC 6455 server frames). */
  private static List<Object> written(EmbeddedChannel ch) {
    ch.runPendingTasks();
    List<Object> out = new ArrayList<>();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        while (b.isReadable()) {
          int first = b.readUnsignedByte();
          assertEquals(0x80, first & 0x80, "FIN set");
          int length = b.readUnsignedByte();
          assertEquals(0, length & 0x80, "server frames are not masked");
          if (length == 126) {
            length = b.readUnsignedShort();
          } else if (length == 127) {
            length = (int) b.readLong();
          }
          byte[] payload = new byte[length];
          b.readBytes(payload);
          out.add(new Frame(first & 0x0F, new String(payload, StandardCharsets.UTF_8)));
        }
        b.release();
      } else {
        out.add(o);
      }
    }
    return out;
  }

  @Test
  void jsonHandshakeAndInvocationAreAnsweredInTextFramesOnePerMessage() {
    HubEndpoint endpoint = endpoint();
    ServerConnection c = endpoint.newConnection("id1", "token1", null, false);
    EmbeddedChannel ch = webSocket(c);

    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"json\",\"version\":1}" + RS));
    assertEquals(List.of(new Frame(0x1, "{}" + RS)), written(ch));
    assertEquals(ServerConnection.State.ACTIVE, c.state());
    assertEquals("json", c.protocol().name());

    // Two invocations in one frame: two completions, each in its own frame, one write.
    ch.writeInbound(
        new TextWebSocketFrame(
            "{\"type\":1,\"invocationId\":\"1\",\"target\":\"echo\",\"arguments\":[\"hi\"]}"
                + RS
                + "{\"type\":1,\"invocationId\":\"2\",\"target\":\"ECHO\",\"arguments\":[\"ho\"]}"
                + RS));
    List<Object> frames = written(ch);
    assertEquals(2, frames.size(), frames.toString());
    Frame first = (Frame) frames.get(0);
    Frame second = (Frame) frames.get(1);
    assertEquals(0x1, first.opcode());
    assertTrue(first.text().contains("\"invocationId\":\"1\""), first.text());
    assertTrue(first.text().contains("\"result\":\"hi\""), first.text());
    assertTrue(second.text().contains("\"result\":\"ho\""), second.text());
    assertTrue(first.text().endsWith(String.valueOf(RS)));
  }

  @Test
  void handshakeSplitOverFramesIsBufferedUntilTheSeparator() {
    ServerConnection c = endpoint().newConnection("id2", "token2", null, false);
    EmbeddedChannel ch = webSocket(c);

    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"js"));
    assertEquals(List.of(), written(ch));
    ch.writeInbound(new TextWebSocketFrame("on\",\"version\":1}" + RS));
    assertEquals(List.of(new Frame(0x1, "{}" + RS)), written(ch));
  }

  @Test
  void messagePackClientGetsBinaryFrames() {
    ServerConnection c = endpoint().newConnection("id3", "token3", null, false);
    EmbeddedChannel ch = webSocket(c);
    MessagePackHubProtocol msgpack = new MessagePackHubProtocol();

    // A MessagePack client may send its handshake as text.
    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"messagepack\",\"version\":1}" + RS));
    assertEquals(List.of(new Frame(0x2, "{}" + RS)), written(ch));

    ch.writeInbound(
        new BinaryWebSocketFrame(
            Unpooled.wrappedBuffer(
                msgpack.toBytes(InvocationMessage.invoke("7", "echo", "binary")))));
    List<Object> frames = written(ch);
    assertEquals(1, frames.size(), frames.toString());
    Frame frame = (Frame) frames.get(0);
    assertEquals(0x2, frame.opcode());
    assertTrue(frame.text().contains("binary"), frame.text());
    assertFalse(frame.text().contains("{"), "MessagePack, not JSON: " + frame.text());
  }

  @Test
  void unsupportedProtocolFailsTheHandshakeThenClosesTheSocket() {
    HubEndpoint endpoint = endpoint();
    ServerConnection c = endpoint.newConnection("id4", "token4", null, false);
    EmbeddedChannel ch = webSocket(c);

    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"xml\",\"version\":1}" + RS));
    List<Object> out = written(ch);
    assertEquals(2, out.size(), out.toString());
    assertEquals(
        new Frame(0x1, "{\"error\":\"The protocol 'xml' is not supported.\"}" + RS), out.get(0));
    assertInstanceOf(CloseWebSocketFrame.class, out.get(1));
    ((CloseWebSocketFrame) out.get(1)).release();
    assertEquals(ServerConnection.State.CLOSED, c.state());
    assertTrue(c.closedFuture().isDone());
    assertEquals(null, endpoint.find("token4"));
  }

  @Test
  void clientCloseIsAnsweredWithCloseAndEndsTheConnection() {
    HubEndpoint endpoint = endpoint();
    ServerConnection c = endpoint.newConnection("id5", "token5", null, false);
    EmbeddedChannel ch = webSocket(c);
    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"json\",\"version\":1}" + RS));
    written(ch);

    ch.writeInbound(new TextWebSocketFrame("{\"type\":7}" + RS));
    List<Object> out = written(ch);
    assertEquals(new Frame(0x1, "{\"type\":7}" + RS), out.get(0));
    assertInstanceOf(CloseWebSocketFrame.class, out.get(1));
    ((CloseWebSocketFrame) out.get(1)).release();
    assertEquals(ServerConnection.State.CLOSED, c.state());
    // Frames after the end are not processed.
    assertFalse(c.receive(ByteBuffer.wrap(new byte[] {'x'})));
  }

  @Test
  void serverSentEventsCarryEachMessageAsOneEventAndRefuseBinaryProtocols() {
    HubEndpoint endpoint = endpoint();
    ServerConnection json = endpoint.newConnection("id6", "token6", null, false);
    EmbeddedChannel ch = new EmbeddedChannel();
    channels.add(ch);
    json.attach(new ServerSentEventsTransport(ch, json, json.outbound()));

    assertTrue(
        json.receive(
            ByteBuffer.wrap(
                ("{\"protocol\":\"json\",\"version\":1}" + RS).getBytes(StandardCharsets.UTF_8))));
    assertTrue(
        json.hubContext()
            .write(
                new org.jvmchat.protocol.SerializedHubMessage(
                    CompletionMessage.withResult("1", "line1\nline2"))));
    ch.runPendingTasks();
    StringBuilder events = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      HttpContent content = (HttpContent) o;
      events.append(content.content().toString(StandardCharsets.UTF_8));
      content.release();
    }
    assertEquals(
        "data: {}"
            + RS
            + "\r\n\r\n"
            + "data: {\"type\":3,\"invocationId\":\"1\",\"result\":\"line1\\nline2\"}"
            + RS
            + "\r\n\r\n",
        events.toString());

    ServerConnection binary = endpoint.newConnection("id7", "token7", null, false);
    EmbeddedChannel ch2 = new EmbeddedChannel();
    channels.add(ch2);
    binary.attach(new ServerSentEventsTransport(ch2, binary, binary.outbound()));
    binary.receive(
        ByteBuffer.wrap(
            ("{\"protocol\":\"messagepack\",\"version\":1}" + RS)
                .getBytes(StandardCharsets.UTF_8)));
    ch2.runPendingTasks();
    HttpContent refused = ch2.readOutbound();
    assertTrue(
        refused
            .content()
            .toString(StandardCharsets.UTF_8)
            .contains("The transport does not support 'Binary' transfer format."));
    refused.release();
    assertEquals(ServerConnection.State.CLOSED, binary.state());
  }

  /** Runs the tasks given to it only when the test calls {@link #runAll}: a hub pool held still. */
  private static final class HeldExecutor extends java.util.concurrent.AbstractExecutorService {
    private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();

    @Override
    public void execute(Runnable command) {
      tasks.add(command);
    }

    /** Runs every task, including those the tasks give it. */
    void runAll() {
      for (Runnable r; (r = tasks.poll()) != null; ) {
        r.run();
      }
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
      return true;
    }
  }

  /** Puts each connection in the group "room" and welcomes it, in onConnected. */
  public static class RoomHub extends org.jvmchat.hub.Hub {
    @Override
    public void onConnected() {
      groups().addToGroup(context().connectionId(), "room").join();
      clients().caller().send("Welcome", "in the room").join();
    }
  }

  /** Its onConnected fails. */
  public static class FailingHub extends org.jvmchat.hub.Hub {
    @Override
    public void onConnected() {
      throw new IllegalStateException("no");
    }
  }

  @Test
  void theHandshakeIsAnsweredOnceOnConnectedCompletedWithWhatItSentBehindTheAnswer() {
    HeldExecutor hubThreads = new HeldExecutor();
    HubEndpoint endpoint = endpoint(hubThreads, RoomHub::new);
    ServerConnection c = endpoint.newConnection("id8", "token8", null, false);
    EmbeddedChannel ch = webSocket(c);

    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"json\",\"version\":1}" + RS));
    // onConnected has not run: the client must not see its connection start yet, since it is not
    // in the room and would miss what is sent to the room once it saw the start.
    assertEquals(List.of(), written(ch));

    hubThreads.runAll(); // onConnected: joins the room, welcomes the caller
    List<Object> out = written(ch);
    assertEquals(2, out.size(), out.toString());
    assertEquals(new Frame(0x1, "{}" + RS), out.get(0));
    assertTrue(((Frame) out.get(1)).text().contains("\"target\":\"Welcome\""), out.toString());

    // Seen started, in the room: what is sent to the room now reaches it.
    endpoint.clients().group("room").send("News", "after the start");
    hubThreads.runAll();
    List<Object> news = written(ch);
    assertEquals(1, news.size(), news.toString());
    assertTrue(((Frame) news.get(0)).text().contains("after the start"), news.toString());
  }

  @Test
  void aFailedOnConnectedStillAnswersTheHandshakeThenCloses() {
    HeldExecutor hubThreads = new HeldExecutor();
    ServerConnection c =
        endpoint(hubThreads, FailingHub::new).newConnection("id9", "token9", null, false);
    EmbeddedChannel ch = webSocket(c);

    ch.writeInbound(new TextWebSocketFrame("{\"protocol\":\"json\",\"version\":1}" + RS));
    assertEquals(List.of(), written(ch));
    hubThreads.runAll();
    List<Object> out = written(ch);
    assertEquals(3, out.size(), out.toString());
    assertEquals(new Frame(0x1, "{}" + RS), out.get(0));
    assertEquals(
        new Frame(0x1, "{\"type\":7,\"error\":\"Connection closed with an error.\"}" + RS),
        out.get(1));
    assertInstanceOf(CloseWebSocketFrame.class, out.get(2));
    ((CloseWebSocketFrame) out.get(2)).release();
    assertEquals(ServerConnection.State.CLOSED, c.state());
  }

  @Test
  void everyMessageTypeHasARoute() {
    List<Class<?>> types = new ArrayList<>();
    collectRecords(HubMessage.class, types);
    assertTrue(types.size() >= 11, types.toString());
    for (Class<?> type : types) {
      @SuppressWarnings("unchecked")
      Class<? extends HubMessage> t = (Class<? extends HubMessage>) type;
      assertTrue(MessageRouter.routes(t), "no route for " + type.getSimpleName());
    }
  }

  private static void collectRecords(Class<?> type, List<Class<?>> into) {
    if (type.isSealed()) {
      Arrays.stream(type.getPermittedSubclasses()).forEach(s -> collectRecords(s, into));
    } else {
      into.add(type);
    }
  }
}
