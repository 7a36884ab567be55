package org.jvmchat.load.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chaos run's TCP proxy against two echo servers that prefix what they echo with their id. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChaosProxyTest {
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private int echoServer(char id) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(server);
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  Thread h =
                      new Thread(
                          () -> {
                            try (s) {
                              InputStream in = s.getInputStream();
                              OutputStream out = s.getOutputStream();
                              int b;
                              while ((b = in.read()) >= 0) {
                                out.write(id);
                                out.write(b);
                                out.flush();
                              }
                            } catch (IOException ignored) {
                              // the test cut it
                            }
                          });
                  h.setDaemon(true);
                  h.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private Socket connect(ChaosProxy p) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), p.port());
    s.setSoTimeout(3000);
    closing.add(s);
    return s;
  }

  /** Sends one byte, returns the backend id that echoed it. */
  private static char roundTrip(Socket s, char c) throws IOException {
    s.getOutputStream().write(c);
    s.getOutputStream().flush();
    int id = s.getInputStream().read();
    int echoed = s.getInputStream().read();
    if (id < 0 || echoed != c) {
      throw new IOException("no echo (" + id + ", " + echoed + ")");
    }
    return (char) id;
  }

  private static void awaitLinks(ChaosProxy p, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (p.openLinks() != n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(p.openLinks()).isEqualTo(n);
  }

  @Test
  void roundRobinSkipsABackendOutOfRotationOrDown() throws Exception {
    int a = echoServer('A');
    int b = echoServer('B');
    ChaosProxy p = new ChaosProxy("t", "127.0.0.1", List.of(a, b));
    closing.add(p);
    assertThat(List.of(roundTrip(connect(p), 'x'), roundTrip(connect(p), 'y')))
        .containsExactlyInAnyOrder('A', 'B');
    p.setBackend(0, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(roundTrip(connect(p), 'z')).isEqualTo('B');
    }
    // a backend that refuses connections is skipped too
    p.setBackend(0, a);
    p.setBackend(1, freePort());
    for (int i = 0; i < 3; i++) {
      assertThat(roundTrip(connect(p), 'w')).isEqualTo('A');
    }
    assertThat(p.linksPerBackend()[0]).isPositive();
  }

  @Test
  void cutResetsEveryConnectionAndRefusesNewOnesUntilRestored() throws Exception {
    ChaosProxy p = new ChaosProxy("t", "127.0.0.1", List.of(echoServer('A')));
    closing.add(p);
    Socket open = connect(p);
    assertThat(roundTrip(open, 'a')).isEqualTo('A');
    awaitLinks(p, 1);
    assertThat(p.cut()).isEqualTo(1);
    assertThatThrownBy(() -> roundTrip(open, 'b')).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> roundTrip(connect(p), 'c')).isInstanceOf(IOException.class);
    assertThat(p.refused()).isPositive();
    p.restore();
    assertThat(roundTrip(connect(p), 'd')).isEqualTo('A');
  }

  @Test
  void aHeldConnectionMovesNoByteAndStaysOpenUntilReleased() throws Exception {
    ChaosProxy p = new ChaosProxy("t", "127.0.0.1", List.of(echoServer('A')));
    closing.add(p);
    Socket held = connect(p);
    assertThat(roundTrip(held, 'a')).isEqualTo('A');
    awaitLinks(p, 1);
    assertThat(p.hold(1.0)).isEqualTo(1);
    held.setSoTimeout(500);
    held.getOutputStream().write('b');
    held.getOutputStream().flush();
    // nothing comes back, and no end of stream either: a silent path
    assertThatThrownBy(() -> held.getInputStream().read())
        .isInstanceOf(SocketTimeoutException.class);
    // new connections still work
    assertThat(roundTrip(connect(p), 'c')).isEqualTo('A');
    assertThat(p.releaseHeld()).isEqualTo(1);
    held.setSoTimeout(3000);
    assertThatThrownBy(
            () -> {
              if (held.getInputStream().read() < 0) {
                throw new IOException("end of stream");
              }
            })
        .isInstanceOf(IOException.class);
  }

  @Test
  void resetCutsSomeConnectionsAndLeavesTheProxyOpen() throws Exception {
    ChaosProxy p = new ChaosProxy("t", "127.0.0.1", List.of(echoServer('A')));
    closing.add(p);
    Socket s = connect(p);
    assertThat(roundTrip(s, 'a')).isEqualTo('A');
    awaitLinks(p, 1);
    assertThat(p.reset(1.0)).isEqualTo(1);
    assertThatThrownBy(() -> roundTrip(s, 'b')).isInstanceOf(IOException.class);
    assertThat(roundTrip(connect(p), 'c')).isEqualTo('A');
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
