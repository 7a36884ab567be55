package org.jvmchat.protocol;

/** The server's answer to the handshake: {@code {}} on success, or an error text. */
public record HandshakeResponse(String error) {
  public static final HandshakeResponse SUCCESS = new HandshakeResponse(null);

  public boolean isSuccess() {
    return error == null;
  }
}
