package org.jvmchat.client;

/**
 * Handles an invocation from the server and returns its result (a SignalR "client result"). The
 * value is sent back in a Completion; a {@link java.util.concurrent.CompletionStage} is awaited
 * first. A {@code null} return is a {@code null} result. An exception is sent back as the error
 * {@code exception.toString()}, as the JavaScript client does.
 */
@FunctionalInterface
public interface ResultHandler {
  Object handle(Object[] arguments) throws Exception;
}
