package org.jvmchat.ai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketHandler;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import okio.Socket;

/** Server-Sent Event bodies in the shape OpenAI-compatible servers stream them. */
final class Sse {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Sse() {}

  /** A chunk whose {@code choices[0].delta.content} is {@code content}. */
  static String delta(String content) {
    ObjectNode chunk = MAPPER.createObjectNode();
    chunk.put("id", "chatcmpl-1").put("object", "chat.completion.chunk").put("model", "m");
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", content);
    choice.putNull("finish_reason");
    return "data: " + chunk + "\n\n";
  }

  /** The first chunk OpenAI sends: the role and an empty content. */
  static String roleChunk() {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
        + "\"finish_reason\":null}]}\n\n";
  }

  /** The last chunk before {@code [DONE]}: an empty delta and a finish reason. */
  static String finish(String reason) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\""
        + reason
        + "\"}]}\n\n";
  }

  static String done() {
    return "data: [DONE]\n\n";
  }

  /** A 200 {@code text/event-stream} response of these events, chunked every 16 bytes. */
  static MockResponse stream(String... events) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "text/event-stream; charset=utf-8")
        .chunkedBody(String.join("", events), 16)
        .build();
  }

  /** A JSON error response in OpenAI's shape. */
  static MockResponse error(int code, String message, String errorCode) {
    String codeJson = errorCode == null ? "null" : "\"" + errorCode + "\"";
    return new MockResponse.Builder()
        .code(code)
        .setHeader("Content-Type", "application/json")
        .body(
            "{\"error\":{\"message\":\""
                + message
                + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"
                + codeJson
                + "}}")
        .build();
  }

  /**
   * A streaming response that sends {@code events} and then, if {@code thenHang}, keeps the
   * connection open until the client closes it (recorded by {@link #awaitClientClosed}); otherwise
   * ends the body by closing the connection. The body has no length, so it ends at EOF.
   */
  static final class ScriptedStream implements SocketHandler {
    private final String events;
    private final boolean thenHang;
    private final CountDownLatch clientClosed = new CountDownLatch(1);
    private final CountDownLatch eventsSent = new CountDownLatch(1);

    ScriptedStream(boolean thenHang, String... events) {
      this.events = String.join("", events);
      this.thenHang = thenHang;
    }

    MockResponse response() {
      return new MockResponse.Builder()
          .removeHeader("Content-Length")
          .setHeader("Content-Type", "text/event-stream")
          .socketHandler(this)
          .build();
    }

    @Override
    public void handle(Socket socket) {
      try {
        BufferedSink sink = Okio.buffer(socket.getSink());
        sink.writeUtf8(events);
        sink.flush();
        eventsSent.countDown();
        if (!thenHang) {
          sink.close();
          return;
        }
        BufferedSource source = Okio.buffer(socket.getSource());
        source.timeout().timeout(10, TimeUnit.SECONDS);
        Buffer discard = new Buffer();
        while (source.read(discard, 8192) != -1) {
          discard.clear();
        }
        clientClosed.countDown(); // EOF: the client closed the connection
      } catch (InterruptedIOException e) {
        // read timeout: the client never closed; awaitClientClosed reports it
      } catch (IOException e) {
        clientClosed.countDown(); // reset by the client: closed too
      }
    }

    /** True when the client closed the connection within the time given. */
    boolean awaitClientClosed() throws InterruptedException {
      return clientClosed.await(5, TimeUnit.SECONDS);
    }

    boolean awaitEventsSent() throws InterruptedException {
      return eventsSent.await(5, TimeUnit.SECONDS);
    }
  }
}
