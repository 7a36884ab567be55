package org.jvmchat.protocol;

/** What a transport must carry for a protocol: text (UTF-8) or arbitrary bytes. */
public enum TransferFormat {
  Text,
  Binary
}
