/**
 * The Java SignalR client: {@code org.jvmchat.client} (the connection, its builder and options) and
 * {@code org.jvmchat.client.chat} (room recovery for the chat server). Everything under {@code
 * org.jvmchat.client.internal} is not exported and may change at any time.
 */
module org.jvmchat.client {
  requires transitive org.jvmchat.protocol;
  requires transitive okhttp3;
  requires okhttp3.sse;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires org.slf4j;

  exports org.jvmchat.client;
  exports org.jvmchat.client.chat;

  // RoomRecovery reads the server's page of messages into a package-private record
  opens org.jvmchat.client.chat to
      com.fasterxml.jackson.databind;
}
