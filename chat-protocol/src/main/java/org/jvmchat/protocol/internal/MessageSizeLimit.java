package org.jvmchat.protocol.internal;

import org.jvmchat.protocol.HubProtocolException;

/** The error for a message over the configured maximum size, worded as ASP.NET Core words it. */
public final class MessageSizeLimit {
  private MessageSizeLimit() {}

  public static HubProtocolException exceeded(int maxMessageSize) {
    return new HubProtocolException(
        "The maximum message size of " + maxMessageSize + "B was exceeded.");
  }
}
