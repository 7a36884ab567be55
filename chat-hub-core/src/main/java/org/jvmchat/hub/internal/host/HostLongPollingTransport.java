package org.jvmchat.hub.internal.host;

import io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.jvmchat.hub.internal.transport.Outbound;
import org.jvmchat.hub.internal.transport.PollingTransport;
import org.jvmchat.hub.internal.transport.TransportConnection;

/**
 * Long polling over {@link HostResponse}s ({@link PollingTransport}): a held poll is the host's
 * asynchronous response.
 */
final class HostLongPollingTransport extends PollingTransport<HostResponse> {
  private static final String[] NO_CACHE = {
    "Cache-Control",
    "no-cache, no-store",
    "Pragma",
    "no-cache",
    "Expires",
    "Thu, 01 Jan 1970 00:00:00 GMT"
  };

  HostLongPollingTransport(
      TransportConnection connection,
      Outbound outbound,
      EventExecutor eventLoop,
      Duration timeout) {
    super(connection, outbound, eventLoop, timeout);
  }

  /** A poll arrived (any thread). */
  void poll(HostResponse response) {
    arrived(response);
  }

  @Override
  protected void respond(HostResponse response, int status, List<byte[]> body) {
    if (body == null) {
      response.send(status, null, new byte[0], NO_CACHE);
      return;
    }
    int length = 0;
    for (byte[] b : body) {
      length += b.length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length);
    for (byte[] b : body) {
      out.writeBytes(b);
    }
    response.send(status, "application/octet-stream", out.toByteArray(), NO_CACHE);
  }
}
