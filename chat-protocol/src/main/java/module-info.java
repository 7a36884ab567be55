/**
 * The SignalR hub protocols (JSON and MessagePack), the handshake and the negotiate models.
 *
 * <p>{@code org.jvmchat.protocol.internal} holds what the server and the client share (the
 * handshake reader, the stateful-reconnect buffer, the serial executor); it is exported only to
 * those two modules and may change at any time. {@code org.jvmchat.protocol.internal.msgpack} is
 * not exported at all.
 *
 * <p>MessagePack for Java has no module descriptor and no {@code Automatic-Module-Name}: its two
 * jars are automatic modules named from their file names ({@code msgpack.core}, {@code
 * jackson.dataformat.msgpack}).
 */
// The modules named in the qualified export are not observable while this one compiles.
@SuppressWarnings("module")
module org.jvmchat.protocol {
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires jackson.dataformat.msgpack;
  requires msgpack.core;

  exports org.jvmchat.protocol;
  exports org.jvmchat.protocol.json;
  exports org.jvmchat.protocol.msgpack;
  exports org.jvmchat.protocol.negotiate;
  exports org.jvmchat.protocol.internal to
      org.jvmchat.hub,
      org.jvmchat.client;
}
