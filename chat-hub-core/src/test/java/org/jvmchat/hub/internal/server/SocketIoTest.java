package org.jvmchat.hub.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Epoll where Netty's epoll classes and native library are present, NIO without them. */
class SocketIoTest {

  @Test
  void epollIsChosenWhereItIsAvailable() {
    SocketIo io = SocketIo.select();
    if (Epoll.isAvailable()) {
      assertThat(io.name()).isEqualTo("epoll");
      assertThat(io.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
    } else {
      assertThat(io.name()).isEqualTo("nio");
      assertThat(io.serverChannel()).isEqualTo(NioServerSocketChannel.class);
    }
  }

  @Test
  void withoutTheEpollClassesNioIsChosenWithoutALinkageError() throws Exception {
    ClassLoader withoutEpoll = new WithoutEpoll(SocketIo.class.getClassLoader());
    assertThatThrownBy(() -> Class.forName(SocketIo.EPOLL_CLASS, false, withoutEpoll))
        .isInstanceOf(ClassNotFoundException.class);
    Class<?> socketIo = Class.forName(SocketIo.class.getName(), true, withoutEpoll);
    assertThat(socketIo.getClassLoader()).isSameAs(withoutEpoll);

    Object io = socketIo.getMethod("select").invoke(null);

    assertThat(socketIo.getMethod("name").invoke(io)).isEqualTo("nio");
    assertThat(socketIo.getMethod("serverChannel").invoke(io))
        .isEqualTo(NioServerSocketChannel.class);
  }

  /**
   * A class path without {@code netty-transport-classes-epoll}: defines {@link SocketIo} and {@link
   * EpollIo} itself (so that their references resolve here) and refuses every epoll class.
   */
  private static final class WithoutEpoll extends ClassLoader {
    WithoutEpoll(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("io.netty.channel.epoll.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.equals(SocketIo.class.getName()) && !name.equals(EpollIo.class.getName())) {
          return super.loadClass(name, resolve);
        }
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          try (InputStream in =
              getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            byte[] bytes = in.readAllBytes();
            c = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        return c;
      }
    }
  }
}
