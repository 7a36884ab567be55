package org.jvmchat.hub.spi;

import java.util.Objects;

/**
 * A negotiate answer that sends the client elsewhere: the redirect form of SignalR's negotiate
 * response ({@code {"url": ..., "accessToken": ...}}), which the official clients follow by
 * negotiating again at {@code url} with {@code accessToken} as their bearer token (how Azure
 * SignalR Service's default mode hands clients to the service).
 */
public record NegotiateRedirect(String url, String accessToken) {
  public NegotiateRedirect {
    Objects.requireNonNull(url, "url");
  }
}
