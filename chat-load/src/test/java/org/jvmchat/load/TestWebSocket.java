package org.jvmchat.load;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client for tests of the peers (the JDK's), recording every message it receives: a
 * text frame split at SignalR's record separator {@code 0x1E} (with {@code splitSignalR}) or whole
 * (Socket.IO), a binary frame split at MessagePack's VarInt length prefixes (the prefix dropped).
 */
public final class TestWebSocket implements WebSocket.Listener, AutoCloseable {
  /** One received message: {@code text} or {@code binary}, the other null. */
  public record Msg(String text, byte[] binary) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final boolean splitSignalR;
  private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final StringBuilder text = new StringBuilder();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final WebSocket ws;
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();

  private TestWebSocket(URI uri, boolean splitSignalR) {
    this.splitSignalR = splitSignalR;
    this.ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(TIMEOUT)
            .buildAsync(uri, this)
            .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
            .join();
  }

  /** A SignalR connection (messages split at {@code 0x1E} and at length prefixes). */
  public static TestWebSocket signalR(URI uri) {
    return new TestWebSocket(uri, true);
  }

  /** A Socket.IO connection (one packet per text frame). */
  public static TestWebSocket socketIo(URI uri) {
    return new TestWebSocket(uri, false);
  }

  public void sendText(String s) {
    ws.sendText(s, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** One frame of a text message: the first, a continuation, or ({@code last}) the final one. */
  public void sendTextPart(String s, boolean last) {
    ws.sendText(s, last).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /**
   * Sends a WebSocket close frame with {@code status} (the server's answer: {@link #awaitClosed}).
   */
  public void sendClose(int status) {
    ws.sendClose(status, "").orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  public void sendBinary(byte[] b) {
    ws.sendBinary(ByteBuffer.wrap(b), true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /**
   * Every message received from now on up to and including the first that matches, waiting at most
   * {@link #TIMEOUT} for it.
   */
  public List<Msg> until(Predicate<Msg> match) throws InterruptedException {
    List<Msg> out = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Object o = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (o == null) {
        throw new AssertionError("no matching message within " + TIMEOUT + "; got " + show(out));
      }
      if (o instanceof Throwable t) {
        throw new AssertionError("connection failed; got " + show(out), t);
      }
      Msg m = (Msg) o;
      out.add(m);
      if (match.test(m)) {
        return out;
      }
    }
  }

  /** The last of {@link #until}'s messages: the one that matched. */
  public Msg next(Predicate<Msg> match) throws InterruptedException {
    List<Msg> all = until(match);
    return all.get(all.size() - 1);
  }

  private static String show(List<Msg> msgs) {
    StringBuilder sb = new StringBuilder("[");
    for (Msg m : msgs) {
      sb.append(m.text() != null ? m.text() : java.util.HexFormat.of().formatHex(m.binary()));
      sb.append("; ");
    }
    return sb.append(']').toString();
  }

  @Override
  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      String s = text.toString();
      text.setLength(0);
      if (splitSignalR) {
        for (String part : s.split("\u001e")) {
          if (!part.isEmpty()) {
            received.add(new Msg(part, null));
          }
        }
      } else {
        received.add(new Msg(s, null));
      }
    }
    w.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
    byte[] b = new byte[data.remaining()];
    data.get(b);
    bytes.writeBytes(b);
    if (last) {
      byte[] all = bytes.toByteArray();
      bytes.reset();
      int i = 0;
      while (i < all.length) {
        int length = 0;
        int shift = 0;
        int v;
        do {
          v = all[i++] & 0xff;
          length |= (v & 0x7f) << shift;
          shift += 7;
        } while ((v & 0x80) != 0);
        byte[] body = new byte[length];
        System.arraycopy(all, i, body, 0, length);
        received.add(new Msg(null, body));
        i += length;
      }
    }
    w.request(1);
    return null;
  }

  @Override
  public void onError(WebSocket w, Throwable error) {
    received.add(error);
    closed.complete("error: " + error);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
    closed.complete("close frame " + statusCode);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
    byte[] b = new byte[message.remaining()];
    message.get(b);
    pongs.add(b);
    w.request(1);
    return null;
  }

  /** Sends a WebSocket ping and waits at most {@link #TIMEOUT} for a pong; its payload. */
  public byte[] ping(byte[] payload) throws InterruptedException {
    ws.sendPing(ByteBuffer.wrap(payload)).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    byte[] pong = pongs.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (pong == null) {
      throw new AssertionError("no pong within " + TIMEOUT);
    }
    return pong;
  }

  /** Whether the server ended the connection (a close frame, or the socket closed) by now. */
  public boolean isClosed() {
    return closed.isDone();
  }

  /**
   * Waits at most {@link #TIMEOUT} for the server to end the connection; how it ended (a close
   * frame's status, or the error the socket's end caused).
   */
  public String awaitClosed() throws Exception {
    return closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    ws.abort();
  }

  /**
   * A MessagePack string header and its UTF-8 bytes (fixstr / str8 only: test strings are short).
   */
  public static void msgPackStr(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length < 32) {
      out.write(0xa0 | b.length);
    } else {
      out.write(0xd9);
      out.write(b.length);
    }
    out.writeBytes(b);
  }
}
