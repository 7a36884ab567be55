package org.jvmchat.protocol.negotiate;

import java.util.List;
import org.jvmchat.protocol.TransferFormat;

/** One entry of a negotiate response's {@code availableTransports}. */
public record AvailableTransport(
    HttpTransportType transport, List<TransferFormat> transferFormats) {
  public AvailableTransport {
    transferFormats = List.copyOf(transferFormats);
  }
}
