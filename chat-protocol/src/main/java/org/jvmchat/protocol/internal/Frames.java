package org.jvmchat.protocol.internal;

import java.nio.ByteBuffer;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBinder;

/** Hands the body of one framed message, found at a buffer's position, to a protocol's parser. */
public final class Frames {
  private Frames() {}

  /** Parses one unframed message body; {@code null} for a message of an unknown type. */
  @FunctionalInterface
  public interface BodyParser {
    HubMessage parse(byte[] data, int offset, int length, InvocationBinder binder);
  }

  /**
   * Moves the buffer's position past the frame there ({@code frameLength} bytes), then parses its
   * body, which starts {@code bodyStart} bytes into the frame and is {@code bodyLength} long. The
   * body is read in place from the backing array, or copied from a buffer without one.
   */
  public static HubMessage parse(
      ByteBuffer buffer,
      int bodyStart,
      int bodyLength,
      int frameLength,
      BodyParser parser,
      InvocationBinder binder) {
    int position = buffer.position();
    byte[] data;
    int offset;
    if (buffer.hasArray()) {
      data = buffer.array();
      offset = buffer.arrayOffset() + position + bodyStart;
    } else {
      data = new byte[bodyLength];
      buffer.get(position + bodyStart, data);
      offset = 0;
    }
    buffer.position(position + frameLength);
    return parser.parse(data, offset, bodyLength, binder);
  }
}
