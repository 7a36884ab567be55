package org.jvmchat.load.chaos;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A member of a busy room that stops reading: a raw WebSocket (through the round-robin proxy, a 4
 * KiB receive buffer) that does the SignalR JSON handshake and {@code JoinRoom}, reads until its
 * completion, then never reads again while still sending a ping every 5 s, as a live but stalled
 * application does. What the server does with it is read at the end: whether it closed the
 * connection, and how many bytes had been waiting.
 */
final class SlowConsumer implements AutoCloseable {
  private final Socket socket;
  private final Thread pinger;
  private volatile boolean closed;
  volatile long pingFailedAt;

  private SlowConsumer(Socket socket) {
    this.socket = socket;
    this.pinger = new Thread(this::pingLoop, "chaos-slow-consumer-ping");
    pinger.setDaemon(true);
  }

  static SlowConsumer open(int port, String token, String roomId) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.setSoTimeout(15000);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    byte[] keyBytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(keyBytes);
    String request =
        "GET /hubs/chat?access_token="
            + token
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(keyBytes)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readUntil(in, "\r\n\r\n");
    if (!head.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException(
          "slow consumer: upgrade refused: " + head.lines().findFirst().orElse(""));
    }
    writeText(out, "{\"protocol\":\"json\",\"version\":1}\u001e");
    writeText(
        out,
        "{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\""
            + roomId
            + "\"]}\u001e");
    readUntil(in, "\"invocationId\":\"1\"");
    SlowConsumer c = new SlowConsumer(s);
    c.pinger.start();
    return c;
  }

  private void pingLoop() {
    try {
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        Thread.sleep(5000);
        writeText(out, "{\"type\":6}\u001e");
      }
    } catch (IOException e) {
      pingFailedAt = System.currentTimeMillis();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads what was waiting, for at most {@code seconds}: the byte count, negated when the server
   * had closed the connection (end of stream or reset after the waiting bytes).
   */
  long drain(int seconds) {
    long n = 0;
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    byte[] buf = new byte[65536];
    try {
      socket.setSoTimeout(1000);
      InputStream in = socket.getInputStream();
      while (System.nanoTime() < deadline) {
        int r;
        try {
          r = in.read(buf);
        } catch (SocketTimeoutException quiet) {
          return n; // open, nothing more waiting
        }
        if (r < 0) {
          return -n - 1;
        }
        n += r;
      }
      return n;
    } catch (IOException reset) {
      return -n - 1;
    }
  }

  @Override
  public void close() {
    closed = true;
    pinger.interrupt();
    ChaosProxy.closeQuietly(socket);
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder got = new StringBuilder();
    byte[] m = marker.getBytes(StandardCharsets.ISO_8859_1);
    int matched = 0;
    long total = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("slow consumer: closed during setup: " + got);
      }
      total++;
      if (got.length() < 4096) {
        got.append((char) b);
      }
      // the markers have no repeated prefix, so a mismatch restarts the match
      matched = b == (m[matched] & 0xff) ? matched + 1 : (b == (m[0] & 0xff) ? 1 : 0);
      if (matched == m.length) {
        return got.toString();
      }
      if (total > 1 << 20) {
        throw new IOException("slow consumer: no " + marker + " in 1 MiB");
      }
    }
  }

  private static synchronized void writeText(OutputStream out, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(0x81);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }
}
