/**
 * The hub library behind Azure SignalR Service: {@code org.jvmchat.azure.signalr} ({@code
 * AzureSignalR}, its options and connection string) and {@code org.jvmchat.azure.signalr.protocol}
 * (the service protocol's encoding). Everything under {@code org.jvmchat.azure.signalr.internal} is
 * not exported and may change at any time.
 */
module org.jvmchat.azure.signalr {
  requires transitive org.jvmchat.hub;
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.handler;
  requires com.nimbusds.jose.jwt; // the service's access tokens
  requires msgpack.core; // the service protocol
  requires org.slf4j;

  exports org.jvmchat.azure.signalr;
  exports org.jvmchat.azure.signalr.protocol;
}
