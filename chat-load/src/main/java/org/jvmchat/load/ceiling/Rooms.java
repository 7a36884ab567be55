package org.jvmchat.load.ceiling;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.ConcurrentHashMap;

/** Room id to the channels in it; a closed channel leaves its groups by itself. */
final class Rooms {
  private final ConcurrentHashMap<String, ChannelGroup> byId = new ConcurrentHashMap<>();

  void join(String roomId, Channel ch) {
    byId.computeIfAbsent(roomId, id -> new DefaultChannelGroup(id, GlobalEventExecutor.INSTANCE))
        .add(ch);
  }

  /** The members, or null when nobody ever joined. */
  ChannelGroup members(String roomId) {
    return byId.get(roomId);
  }
}
