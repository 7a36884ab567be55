package org.jvmchat.hub.internal.connection;

import org.jvmchat.protocol.HubProtocolException;

/**
 * Stateful reconnect, receiving side: numbers the client's hub invocation messages from 1, drops
 * the duplicates a client replays after a reconnect, and knows what to acknowledge. Touched only on
 * the connection's executor.
 */
public final class InboundSequence {
  private long nextExpectedId = 1;
  private long latestProcessedId;
  private boolean ackDue;

  /** A trackable message arrived: false when it is a duplicate to drop. */
  public boolean accept() {
    long id = nextExpectedId++;
    if (id <= latestProcessedId) {
      return false;
    }
    latestProcessedId = id;
    ackDue = true;
    return true;
  }

  /** The client's Sequence message: the id of the next message it sends (a replay may follow). */
  public void sequence(long sequenceId) {
    if (sequenceId > nextExpectedId) {
      throw new HubProtocolException("Sequence ID greater than amount of messages we've received.");
    }
    nextExpectedId = sequenceId;
  }

  /** The id to acknowledge when something was processed since the last Ack, else -1. */
  public long takeAck() {
    if (!ackDue) {
      return -1;
    }
    ackDue = false;
    return latestProcessedId;
  }
}
