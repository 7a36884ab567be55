package org.jvmchat.hub.internal.hub;

import java.util.Map;
import org.jvmchat.hub.internal.dispatch.HubDispatcher;
import org.jvmchat.hub.internal.dispatch.UploadStream;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.AckMessage;
import org.jvmchat.protocol.CancelInvocationMessage;
import org.jvmchat.protocol.CloseMessage;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.InvocationMessage;
import org.jvmchat.protocol.PingMessage;
import org.jvmchat.protocol.SequenceMessage;
import org.jvmchat.protocol.StreamBindingFailureMessage;
import org.jvmchat.protocol.StreamInvocationMessage;
import org.jvmchat.protocol.StreamItemMessage;

/**
 * Where each kind of message from a client goes, once the handshake is done: one route per message
 * type, looked up by the message's class (every {@link HubMessage} is a record, so its class is
 * exact). Invocations, stream invocations, cancels and binding failures go to the dispatcher;
 * stream items, stream completions and stream binding failures to the connection's upload streams
 * (a completion of no upload stream is a client result, for the lifetime manager); Ping, Close, Ack
 * and Sequence to the connection and its handler. Runs on the connection's executor.
 */
final class MessageRouter {
  private interface MessageRoute<M extends HubMessage> {
    void handle(
        HubDispatcher dispatcher,
        HubLifetimeManager lifetimeManager,
        DefaultHubConnectionContext connection,
        M message);
  }

  private static final Map<Class<?>, MessageRoute<?>> ROUTES =
      Map.ofEntries(
          route(InvocationMessage.class, (d, l, c, m) -> d.invoke(c, m)),
          route(StreamInvocationMessage.class, (d, l, c, m) -> d.streamInvoke(c, m)),
          route(CancelInvocationMessage.class, (d, l, c, m) -> d.cancel(c, m.invocationId())),
          route(InvocationBindingFailureMessage.class, (d, l, c, m) -> d.bindingFailure(c, m)),
          route(
              StreamItemMessage.class,
              (d, l, c, m) -> {
                UploadStream full = c.uploads().item(m.invocationId(), m.item());
                if (full != null) {
                  c.pauseReadingUntilSpace(full);
                }
              }),
          route(
              CompletionMessage.class,
              (d, l, c, m) -> {
                if (!c.uploads().complete(m.invocationId(), m.error())) {
                  l.setConnectionResult(c.connectionId(), m);
                }
              }),
          route(
              StreamBindingFailureMessage.class,
              (d, l, c, m) -> c.uploads().complete(m.invocationId(), m.reason())),
          route(PingMessage.class, (d, l, c, m) -> c.inbound().pingReceived()),
          route(CloseMessage.class, (d, l, c, m) -> c.closedByClient(m.error())),
          route(AckMessage.class, (d, l, c, m) -> c.acknowledged(m.sequenceId())),
          route(SequenceMessage.class, (d, l, c, m) -> c.inbound().sequence(m.sequenceId())));

  private MessageRouter() {}

  private static <M extends HubMessage> Map.Entry<Class<?>, MessageRoute<?>> route(
      Class<M> type, MessageRoute<M> route) {
    return Map.entry(type, route);
  }

  @SuppressWarnings("unchecked")
  static void route(
      HubDispatcher dispatcher,
      HubLifetimeManager lifetimeManager,
      DefaultHubConnectionContext connection,
      HubMessage message) {
    MessageRoute<HubMessage> route = (MessageRoute<HubMessage>) ROUTES.get(message.getClass());
    if (route != null) {
      route.handle(dispatcher, lifetimeManager, connection, message);
    }
  }

  /** For the test that every message type has a route. */
  static boolean routes(Class<? extends HubMessage> type) {
    return ROUTES.containsKey(type);
  }
}
