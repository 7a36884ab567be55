package org.jvmchat.load.internal;

import io.netty.buffer.ByteBuf;

/**
 * Finds what the driver needs in one SignalR JSON message by scanning bytes: the message type, for
 * an invocation whether it is {@code ReceiveMessage} (and where its content starts), for a
 * completion its invocation id and whether it carries an error. Field order does not matter. Works
 * because an unescaped {@code "} cannot occur inside a JSON string, so {@code "key":} in the raw
 * bytes is always a key.
 */
public final class SignalRScan {
  public static final int INVOCATION = 1;
  public static final int COMPLETION = 3;
  public static final int PING = 6;
  public static final int CLOSE = 7;

  private static final byte[] TYPE = Bytes.ascii("\"type\":");
  private static final byte[] RECEIVE = Bytes.ascii("\"target\":\"ReceiveMessage\"");
  private static final byte[] CONTENT = Bytes.ascii("\"content\":\"");
  private static final byte[] INVOCATION_ID = Bytes.ascii("\"invocationId\":\"");
  private static final byte[] ERROR = Bytes.ascii("\"error\":");

  private SignalRScan() {}

  /**
   * What one message is. {@code contentAt} is the first character of a ReceiveMessage's content
   * (else -1); {@code invocationId} of a completion (else -1).
   */
  public record Scanned(int type, int contentAt, long invocationId, boolean error) {
    public boolean isReceiveMessage() {
      return contentAt >= 0;
    }
  }

  public static Scanned scan(ByteBuf buf, int from, int to) {
    int t = Bytes.indexOf(buf, from, to, TYPE);
    if (t < 0) {
      return new Scanned(-1, -1, -1, Bytes.indexOf(buf, from, to, ERROR) >= 0);
    }
    int i = t + TYPE.length;
    while (i < to && buf.getByte(i) == ' ') {
      i++;
    }
    int type = (int) Bytes.digits(buf, i, to);
    if (type == INVOCATION) {
      if (Bytes.indexOf(buf, from, to, RECEIVE) < 0) {
        return new Scanned(type, -1, -1, false);
      }
      int c = Bytes.indexOf(buf, from, to, CONTENT);
      return new Scanned(type, c < 0 ? -1 : c + CONTENT.length, -1, false);
    }
    if (type == COMPLETION) {
      int id = Bytes.indexOf(buf, from, to, INVOCATION_ID);
      long invocationId = id < 0 ? -1 : Bytes.digits(buf, id + INVOCATION_ID.length, to);
      return new Scanned(type, -1, invocationId, Bytes.indexOf(buf, from, to, ERROR) >= 0);
    }
    if (type == CLOSE) {
      return new Scanned(type, -1, -1, Bytes.indexOf(buf, from, to, ERROR) >= 0);
    }
    return new Scanned(type, -1, -1, false);
  }
}
