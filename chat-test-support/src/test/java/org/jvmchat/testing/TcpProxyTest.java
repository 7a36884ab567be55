package org.jvmchat.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TcpProxy} in front of a one-byte echo server on loopback. */
class TcpProxyTest {
  private static final int READ_TIMEOUT_MILLIS = 5_000;

  private ServerSocket echo;
  private Thread echoThread;
  private TcpProxy proxy;

  @BeforeEach
  void startEchoServerAndProxy() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThread =
        new Thread(
            () -> {
              while (!echo.isClosed()) {
                try {
                  Socket s = echo.accept();
                  Thread t = new Thread(() -> echoLoop(s), "echo");
                  t.setDaemon(true);
                  t.start();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "echo-accept");
    echoThread.setDaemon(true);
    echoThread.start();
    proxy = new TcpProxy("127.0.0.1", echo.getLocalPort());
  }

  private static void echoLoop(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      int b;
      while ((b = in.read()) >= 0) {
        out.write(b);
        out.flush();
      }
    } catch (IOException e) {
      // peer gone
    }
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    echo.close();
    echoThread.join(READ_TIMEOUT_MILLIS);
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    return s;
  }

  private static int roundTrip(Socket s, int b) throws IOException {
    s.getOutputStream().write(b);
    s.getOutputStream().flush();
    return s.getInputStream().read();
  }

  @Test
  void forwardsBothWays() throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 7)).isEqualTo(7);
      assertThat(roundTrip(s, 42)).isEqualTo(42);
    }
  }

  @Test
  void cutClosesOpenConnectionsAndRefusesNewOnesUntilRestored() throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 1)).isEqualTo(1);
      proxy.cut();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    try (Socket refused = connect()) {
      assertThat(refused.getInputStream().read()).isEqualTo(-1);
    }
    proxy.restore();
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 2)).isEqualTo(2);
    }
  }

  @Test
  void dropAllResetsConnectionsAndKeepsAccepting() throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 3)).isEqualTo(3);
      proxy.dropAll();
      // The connection ends: a reset, or (when the proxy's pump saw the close first) end of stream.
      s.setSoTimeout(5000);
      int read;
      try {
        read = s.getInputStream().read();
      } catch (SocketException reset) {
        read = -1;
      }
      assertThat(read).isEqualTo(-1);
    }
    try (Socket s = connect()) {
      assertThat(roundTrip(s, 4)).isEqualTo(4);
    }
  }
}
