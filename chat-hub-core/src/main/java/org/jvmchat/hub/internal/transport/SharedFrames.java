package org.jvmchat.hub.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.SerializedHubMessage;
import org.jvmchat.protocol.TransferFormat;

/**
 * One broadcast's WebSocket frames: for each protocol its receivers speak, the message serialized
 * once and framed once into one pooled direct buffer, exactly as it goes on the wire. Every
 * WebSocket receiver that can take it directly is written a {@code retainedDuplicate()} of the same
 * buffer ({@link Transport#writeShared}): no per-receiver copy and no encoder.
 *
 * <p>Reference counted as a whole: created with one reference (the sender's); each event loop that
 * delivers it takes one ({@link #retain}) and gives it back when done ({@link #release}); the last
 * release frees the buffers (each written duplicate holds its own reference until the socket wrote
 * it). Thread-safe once built: the buffers are only read.
 */
public final class SharedFrames {
  private final HubProtocol[] protocols;
  private final ByteBuf[] frames;
  private final AtomicInteger refs = new AtomicInteger(1);

  private SharedFrames(HubProtocol[] protocols, ByteBuf[] frames) {
    this.protocols = protocols;
    this.frames = frames;
  }

  /**
   * Serializes {@code message} in each of {@code protocols} and frames it. A serialization failure
   * of a message built here (an argument that cannot be serialized) is the sender's and thrown,
   * before anything is allocated; a message known only as bytes (from another instance) that lacks
   * a protocol simply has no frame for it, and its receivers take the queue path, which reports it.
   */
  public static SharedFrames of(SerializedHubMessage message, HubProtocol[] protocols) {
    byte[][] payloads = new byte[protocols.length][];
    for (int i = 0; i < protocols.length; i++) {
      try {
        payloads[i] = message.bytes(protocols[i]);
      } catch (RuntimeException e) {
        if (message.message() != null) {
          throw e;
        }
      }
    }
    ByteBuf[] frames = new ByteBuf[protocols.length];
    for (int i = 0; i < protocols.length; i++) {
      byte[] payload = payloads[i];
      if (payload != null) {
        ByteBuf frame =
            ByteBufAllocator.DEFAULT.directBuffer(
                WebSocketFrames.overhead(payload.length) + payload.length);
        WebSocketFrames.append(
            frame,
            protocols[i].transferFormat() == TransferFormat.Binary
                ? WebSocketFrames.BINARY
                : WebSocketFrames.TEXT,
            payload);
        frames[i] = frame;
      }
    }
    return new SharedFrames(protocols.clone(), frames);
  }

  /** The frame of {@code protocol} (not to be released by the caller), or null when none. */
  public ByteBuf frame(HubProtocol protocol) {
    for (int i = 0; i < protocols.length; i++) {
      if (protocols[i] == protocol) {
        return frames[i];
      }
    }
    return null;
  }

  /** Takes {@code n} more references. */
  public void retain(int n) {
    refs.addAndGet(n);
  }

  /** Gives one reference back; the last frees the buffers. */
  public void release() {
    if (refs.decrementAndGet() == 0) {
      for (int i = 0; i < frames.length; i++) {
        if (frames[i] != null) {
          frames[i].release();
          frames[i] = null;
        }
      }
    }
  }
}
