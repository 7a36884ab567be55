package org.jvmchat.hub.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** How a connection's outbound bytes reach the client. Methods run on {@link #eventLoop()}. */
public interface Transport {
  HttpTransportType type();

  EventExecutor eventLoop();

  /** Writes out what the connection has queued (called on the event loop, coalesced). */
  void drain();

  /** Bytes handed to the socket but not yet written. */
  long pendingWriteBytes();

  /** Ends the transport once what is queued has been written. */
  void end();

  /** Drops the transport without sending more (a stateful reconnect replaces it). */
  void abort();
}
