package org.jvmchat.client.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jvmchat.protocol.CompletionMessage;
import org.jvmchat.protocol.HubMessage;
import org.jvmchat.protocol.InvocationBindingFailureMessage;
import org.jvmchat.protocol.internal.Futures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invocations from the server: runs the {@code on(...)} handlers on the handler lane and, when the
 * server expects a result, answers with a Completion following the JavaScript client's rules (none,
 * thrown, multiple, asynchronous results).
 */
final class ServerInvocations {
  private static final Logger log = LoggerFactory.getLogger(ServerInvocations.class);

  private final HandlerRegistry handlers;
  private final Executor handlerLane;
  private final Consumer<HubMessage> sender;

  ServerInvocations(HandlerRegistry handlers, Executor handlerLane, Consumer<HubMessage> sender) {
    this.handlers = handlers;
    this.handlerLane = handlerLane;
    this.sender = sender;
  }

  void bindingFailed(InvocationBindingFailureMessage m) {
    if (m.streaming()) {
      return;
    }
    if (m.unknownTarget()) {
      log.warn("No client method with the name '{}' found.", m.target());
      if (m.invocationId() != null) {
        sender.accept(
            CompletionMessage.withError(m.invocationId(), "Client didn't provide a result."));
      }
    } else {
      log.warn("Invocation of '{}' skipped: {}", m.target(), m.reason());
      if (m.invocationId() != null) {
        sender.accept(CompletionMessage.withError(m.invocationId(), m.reason()));
      }
    }
  }

  void invoke(String target, String invocationId, List<Object> arguments) {
    List<HandlerRegistry.Registration> list = handlers.handlers(target);
    handlerLane.execute(
        () -> {
          int results = 0;
          Object result = null;
          Throwable exception = null;
          for (HandlerRegistry.Registration r : list) {
            Object[] args = arguments.toArray();
            try {
              if (r.plain() != null) {
                r.plain().handle(args);
              } else {
                result = r.withResult().handle(args);
                results++;
              }
              exception = null;
            } catch (Throwable t) {
              exception = t;
              log.warn("A handler for '{}' threw", target, t);
            }
          }
          if (invocationId == null) {
            return;
          }
          if (results > 1) {
            sender.accept(
                CompletionMessage.withError(invocationId, "Client provided multiple results."));
          } else if (exception != null) {
            sender.accept(CompletionMessage.withError(invocationId, exception.toString()));
          } else if (results == 0) {
            sender.accept(
                CompletionMessage.withError(invocationId, "Client didn't provide a result."));
          } else if (result instanceof CompletionStage<?> stage) {
            stage.whenComplete(
                (value, error) ->
                    sender.accept(
                        error == null
                            ? CompletionMessage.withResult(invocationId, value)
                            : CompletionMessage.withError(
                                invocationId, Futures.unwrap(error).toString())));
          } else {
            sender.accept(CompletionMessage.withResult(invocationId, result));
          }
        });
  }
}
