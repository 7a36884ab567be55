package org.jvmchat.ai.internal;

import java.io.IOException;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import org.jvmchat.ai.AssistantException;
import org.jvmchat.ai.internal.ChatCompletionJson.Chunk;
import org.jvmchat.ai.internal.ChatCompletionJson.MalformedChunkException;
import org.jvmchat.ai.internal.ChatCompletionJson.ProviderError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the event stream of one accepted response and applies its rules (see the module README):
 *
 * <ul>
 *   <li>{@code data: [DONE]} completes the answer.
 *   <li>A {@code data:} line that is not a JSON object is skipped with a warning; if no line of the
 *       stream was valid, the answer fails with {@code BAD_RESPONSE}.
 *   <li>A chunk with an {@code error} object, or an SSE event of type {@code error}, fails the
 *       answer with {@code SERVER_ERROR} (or {@code UNKNOWN_MODEL}). Other event types and comments
 *       are ignored.
 *   <li>A stream that ends without {@code [DONE]} is complete if a chunk carried a {@code
 *       finish_reason}; otherwise the answer was cut off and fails with {@code BAD_RESPONSE}.
 *   <li>A connection that breaks fails the answer with {@code UNREACHABLE}.
 * </ul>
 *
 * <p>Called only by the thread reading the response, so its counters need no synchronization.
 */
final class ChunkStreamListener extends EventSourceListener {

  private static final Logger log = LoggerFactory.getLogger(ChunkStreamListener.class);

  private final ChatCompletionExchange exchange;
  private boolean sawFinishReason;
  private int validChunks;
  private int malformedChunks;

  ChunkStreamListener(ChatCompletionExchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public void onOpen(EventSource es, Response response) {
    exchange.streamOpened(es);
  }

  @Override
  public void onEvent(EventSource es, String id, String type, String data) {
    if (exchange.isFinished()) {
      es.cancel();
      return;
    }
    exchange.markActivity();
    if (type != null && !type.equals("message")) {
      if (type.equals("error")) {
        ProviderError error = ChatCompletionJson.parseErrorBody(data);
        exchange.fail(inStream(error != null ? error : new ProviderError(null, null)));
      } else {
        log.debug("ignoring SSE event of type {} from {}", type, exchange.endpoint());
      }
      return;
    }
    String payload = data.strip();
    if (payload.isEmpty()) {
      return;
    }
    if (payload.equals("[DONE]")) {
      logMalformedSummary();
      if (validChunks == 0 && malformedChunks > 0) {
        exchange.fail(noValidChunk());
      } else {
        exchange.succeed();
      }
      es.cancel(); // stop reading; the body is closed (and the connection reused when it can be)
      return;
    }
    Chunk chunk;
    try {
      chunk = ChatCompletionJson.parseChunk(payload);
    } catch (MalformedChunkException e) {
      malformedChunks++;
      if (malformedChunks == 1) {
        log.warn(
            "skipping a malformed data line from {} ({}): {}",
            exchange.endpoint(),
            e.getMessage(),
            ChatCompletionJson.truncate(payload, 120));
      } else {
        log.debug("skipping a malformed data line from {}: {}", exchange.endpoint(), payload);
      }
      return;
    }
    validChunks++;
    if (chunk.error() != null) {
      exchange.fail(inStream(chunk.error()));
      return;
    }
    if (chunk.finishReason() != null) {
      sawFinishReason = true;
    }
    if (chunk.content() != null && !chunk.content().isEmpty()) {
      if (!exchange.deliver(chunk.content())) {
        es.cancel();
      }
    }
  }

  @Override
  public void onClosed(EventSource es) {
    if (exchange.isFinished()) {
      return;
    }
    logMalformedSummary();
    long chars = exchange.charsReceived();
    if (validChunks == 0 && malformedChunks > 0) {
      exchange.fail(noValidChunk());
    } else if (sawFinishReason) {
      log.debug(
          "stream from {} ended without [DONE] after a finish_reason: complete",
          exchange.endpoint());
      exchange.succeed();
    } else if (chars > 0) {
      exchange.fail(
          badResponse(
              "the stream ended without [DONE] or a finish_reason after "
                  + chars
                  + " characters: the answer is cut off"));
    } else {
      exchange.fail(badResponse("the stream ended without any answer"));
    }
  }

  @Override
  public void onFailure(EventSource es, Throwable t, Response response) {
    if (exchange.isFinished()) {
      return;
    }
    exchange.fail(
        Failures.connectionLost(
            t != null ? t : new IOException("stream failed"),
            exchange.endpoint(),
            exchange.attempts(),
            exchange.charsReceived()));
  }

  private void logMalformedSummary() {
    if (malformedChunks > 1) {
      log.warn(
          "skipped {} malformed data lines in the answer from {}",
          malformedChunks,
          exchange.endpoint());
    }
  }

  private AssistantException inStream(ProviderError error) {
    return Failures.inStream(error, exchange.endpoint(), exchange.model(), exchange.attempts());
  }

  private AssistantException badResponse(String what) {
    return Failures.badResponse(what, exchange.endpoint(), exchange.attempts());
  }

  private AssistantException noValidChunk() {
    return badResponse("none of the " + malformedChunks + " data lines was a JSON object");
  }
}
