package org.jvmchat.hub.internal.server;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that references Netty's epoll classes: loaded by {@link SocketIo} only once it has
 * seen them on the class path.
 */
final class EpollIo {
  private static final Logger log = LoggerFactory.getLogger(EpollIo.class);

  private EpollIo() {}

  /** Epoll, or null when its native library is not available on this machine. */
  static SocketIo ifAvailable() {
    if (!Epoll.isAvailable()) {
      log.debug("Epoll is not available, using NIO", Epoll.unavailabilityCause());
      return null;
    }
    return new SocketIo("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
  }
}
