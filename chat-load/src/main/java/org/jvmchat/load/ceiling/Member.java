package org.jvmchat.load.ceiling;

import io.netty.channel.ChannelHandlerContext;

/**
 * One handshaken connection as its loop sees it: the context writes of pre-framed WebSocket frames
 * go through ({@link CeilingServer#WIRE}'s, the first handler of the pipeline, so they reach the
 * socket without passing the WebSocket encoder), its loop and its protocol. {@code flushPending} is
 * touched only by that loop.
 */
final class Member {
  private final ChannelHandlerContext wire;
  private final Loop loop;
  private final boolean binary;
  boolean flushPending;

  Member(ChannelHandlerContext wire, Loop loop, boolean binary) {
    this.wire = wire;
    this.loop = loop;
    this.binary = binary;
  }

  ChannelHandlerContext wire() {
    return wire;
  }

  Loop loop() {
    return loop;
  }

  boolean binary() {
    return binary;
  }
}
