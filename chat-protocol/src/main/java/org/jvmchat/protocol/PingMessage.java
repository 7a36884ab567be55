package org.jvmchat.protocol;

/** Type 6: keep-alive. Carries nothing. */
public enum PingMessage implements HubMessage {
  INSTANCE
}
