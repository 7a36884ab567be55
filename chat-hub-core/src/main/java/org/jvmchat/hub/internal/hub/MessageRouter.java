package org.jvmchat.hub.internal.hub;

import java.util.Map;
import org.jvmchat.hub.internal.dispatch.UploadStream;
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
    void handle(HubConnectionHandler handler, ServerConnection connection, M message);
  }

  private static final Map<Class<?>, MessageRoute<?>> ROUTES =
      Map.ofEntries(
          route(InvocationMessage.class, (h, c, m) -> h.dispatcher().invoke(c, m)),
          route(StreamInvocationMessage.class, (h, c, m) -> h.dispatcher().streamInvoke(c, m)),
          route(
              CancelInvocationMessage.class,
              (h, c, m) -> h.dispatcher().cancel(c, m.invocationId())),
          route(
              InvocationBindingFailureMessage.class,
              (h, c, m) -> h.dispatcher().bindingFailure(c, m)),
          route(
              StreamItemMessage.class,
              (h, c, m) -> {
                UploadStream full = c.uploads().item(m.invocationId(), m.item());
                if (full != null) {
                  c.pauseReadingUntilSpace(full);
                }
              }),
          route(
              CompletionMessage.class,
              (h, c, m) -> {
                if (!c.uploads().complete(m.invocationId(), m.error())) {
                  h.lifetimeManager().setConnectionResult(c.connectionId(), m);
                }
              }),
          route(
              StreamBindingFailureMessage.class,
              (h, c, m) -> c.uploads().complete(m.invocationId(), m.reason())),
          route(PingMessage.class, (h, c, m) -> c.inbound().pingReceived()),
          route(CloseMessage.class, (h, c, m) -> c.closedByClient(m.error())),
          route(AckMessage.class, (h, c, m) -> c.acknowledged(m.sequenceId())),
          route(SequenceMessage.class, (h, c, m) -> c.inbound().sequence(m.sequenceId())));

  private MessageRouter() {}

  private static <M extends HubMessage> Map.Entry<Class<?>, MessageRoute<?>> route(
      Class<M> type, MessageRoute<M> route) {
    return Map.entry(type, route);
  }

  @SuppressWarnings("unchecked")
  static void route(HubConnectionHandler handler, ServerConnection connection, HubMessage message) {
    MessageRoute<HubMessage> route = (MessageRoute<HubMessage>) ROUTES.get(message.getClass());
    if (route != null) {
      route.handle(handler, connection, message);
    }
  }

  /** For the test that every message type has a route. */
  static boolean routes(Class<? extends HubMessage> type) {
    return ROUTES.containsKey(type);
  }
}
