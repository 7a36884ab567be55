/**
 * The SignalR hub server: the public API ({@code org.jvmchat.hub}, its {@code http}, {@code spi}
 * and {@code tracing} packages) is exported; {@code org.jvmchat.hub.internal.*} is not, but for the
 * two packages the Servlet host (chat-hub-servlet) is built on. On the class path (how the
 * project's own modules and tests use it) none of this applies.
 *
 * <p>A modular application's hub classes are called reflectively: their package must be open (or
 * exported) to this module. The Linux epoll transport is used when {@code
 * io.netty.transport.classes.epoll} is resolved (on the module path, add it with {@code
 * --add-modules}); OpenTelemetry only when {@code HubTracing} is used.
 */
// The module named in the qualified exports is not observable while this one compiles.
@SuppressWarnings("module")
module org.jvmchat.hub {
  requires transitive org.jvmchat.protocol;
  requires transitive io.netty.common; // spi.HubConnectionAcceptor hands out an EventExecutor
  requires transitive com.nimbusds.jose.jwt; // JwtBearerAuthenticator's key types
  requires io.netty.buffer;
  requires io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.handler;
  requires java.net.http; // forwarding a request to the instance that holds the connection
  requires org.slf4j;
  requires msgpack.core; // the backplane wire format (scaleout)
  requires static io.netty.transport.classes.epoll;
  requires static transitive io.opentelemetry.api;
  requires static io.opentelemetry.context;

  exports org.jvmchat.hub;
  exports org.jvmchat.hub.http;
  exports org.jvmchat.hub.spi;
  exports org.jvmchat.hub.tracing;
  // The host seam and the runtime it hosts, for chat-hub-servlet only.
  exports org.jvmchat.hub.internal.host to
      org.jvmchat.hub.servlet;
  exports org.jvmchat.hub.internal.hub to
      org.jvmchat.hub.servlet;
}
