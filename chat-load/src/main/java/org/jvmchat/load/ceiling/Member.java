package org.jvmchat.load.ceiling;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One connection as its loop sees it, kept in the connection's own handler ({@link CeilingHandler}
 * extends it, so a connection is one object, not a handler and a member): the context writes of
 * pre-framed WebSocket frames go through ({@link CeilingServer#WIRE}'s, the first handler of the
 * pipeline, so they reach the socket without passing the WebSocket encoder), its loop, its
 * protocol, and what the loop's flush and keep-alive sweep need. Every field but {@code wire},
 * {@code loop} and {@code binary} is touched only by that loop.
 */
abstract class Member extends ChannelInboundHandlerAdapter {
  /** Set when the connection becomes active, on its loop. */
  ChannelHandlerContext wire;

  Loop loop;
  boolean binary;
  boolean flushPending;

  /** The loop's sweep tick ({@link Loop#tick()}) of the last read from and write to it. */
  int lastRead;

  int lastWrite;

  /** Its index in the loop's connections while it is one, else -1. */
  int index = -1;

  ChannelHandlerContext wire() {
    return wire;
  }

  Loop loop() {
    return loop;
  }

  boolean binary() {
    return binary;
  }

  /** On its loop: nothing was written to it for the keep-alive interval. */
  abstract void keepAlive();
}
