package org.jvmchat.protocol;

/** The first message a client sends: which hub protocol and version it wants. */
public record HandshakeRequest(String protocol, int version) {
  public HandshakeRequest {
    Messages.requireNonEmpty(protocol, "protocol");
  }
}
