package org.jvmchat.hub.internal.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The I/O the server's event loops use: Linux epoll when Netty's epoll classes are on the class
 * path and its native library loads ({@code netty-transport-native-epoll}, which {@code
 * chat-hub-core} declares optional: the deployable adds it), else Java NIO. The epoll classes are
 * only touched behind a {@link Class#forName} check, from {@link EpollIo}, so a class path without
 * them gives NIO, never a {@link NoClassDefFoundError}.
 *
 * @param name {@code "epoll"} or {@code "nio"}
 */
public record SocketIo(
    String name, IoHandlerFactory ioHandlerFactory, Class<? extends ServerChannel> serverChannel) {

  static final String EPOLL_CLASS = "io.netty.channel.epoll.Epoll";

  /** Epoll when available, else NIO. */
  public static SocketIo select() {
    if (classPresent(EPOLL_CLASS, SocketIo.class.getClassLoader())) {
      SocketIo epoll = EpollIo.ifAvailable();
      if (epoll != null) {
        return epoll;
      }
    }
    return nio();
  }

  static SocketIo nio() {
    return new SocketIo("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
  }

  private static boolean classPresent(String name, ClassLoader loader) {
    try {
      Class.forName(name, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
