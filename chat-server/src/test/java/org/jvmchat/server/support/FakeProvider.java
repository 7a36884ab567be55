package org.jvmchat.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketHandler;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import okio.Okio;
import okio.Socket;

/** A fake OpenAI-compatible provider on MockWebServer: scripted event streams and errors. */
public final class FakeProvider implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public final MockWebServer server = new MockWebServer();

  public FakeProvider() throws IOException {
    server.start();
  }

  /** The base URL to give the chat server ({@code http://127.0.0.1:port/v1}). */
  public String baseUrl() {
    return server.url("/v1").toString();
  }

  /** Answers the next request with these deltas, then {@code [DONE]}. */
  public void answer(String... deltas) {
    StringBuilder body = new StringBuilder();
    for (String d : deltas) {
      body.append(delta(d));
    }
    body.append("data: [DONE]\n\n");
    server.enqueue(
        new MockResponse.Builder()
            .setHeader("Content-Type", "text/event-stream; charset=utf-8")
            .chunkedBody(body.toString(), 16)
            .build());
  }

  /** Answers the next request with an OpenAI-shaped error. */
  public void fail(int code, String message) {
    server.enqueue(
        new MockResponse.Builder()
            .code(code)
            .setHeader("Content-Type", "application/json")
            .body("{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\",\"code\":null}}")
            .build());
  }

  /** Answers the next request with a stream that sends {@code first}, then waits; see Held. */
  public Held hold(String... first) {
    Held held = new Held(first);
    server.enqueue(
        new MockResponse.Builder()
            .removeHeader("Content-Length")
            .setHeader("Content-Type", "text/event-stream")
            .socketHandler(held)
            .build());
    return held;
  }

  /** The next request that reached the provider (waits at most 10 s). */
  public RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request reached the fake provider");
    }
    return r;
  }

  public static JsonNode body(RecordedRequest r) throws IOException {
    return MAPPER.readTree(r.getBody().utf8());
  }

  public static String delta(String content) {
    ObjectNode chunk = MAPPER.createObjectNode();
    chunk.putArray("choices").addObject().putObject("delta").put("content", content);
    return "data: " + chunk + "\n\n";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /**
   * A stream that sends its first events, then either finishes when {@link #release} is called with
   * the rest, or notices that the client closed the connection.
   */
  public static final class Held implements SocketHandler {
    private final String first;
    private final CountDownLatch clientClosed = new CountDownLatch(1);
    private final CountDownLatch firstSent = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile String rest = "";

    Held(String... first) {
      StringBuilder sb = new StringBuilder();
      for (String d : first) {
        sb.append(delta(d));
      }
      this.first = sb.toString();
    }

    /** Sends these deltas and {@code [DONE]}, then closes. */
    public void release(String... deltas) {
      StringBuilder sb = new StringBuilder();
      for (String d : deltas) {
        sb.append(delta(d));
      }
      rest = sb + "data: [DONE]\n\n";
      released.countDown();
    }

    @Override
    public void handle(Socket socket) {
      try {
        BufferedSink sink = Okio.buffer(socket.getSink());
        sink.writeUtf8(first);
        sink.flush();
        firstSent.countDown();
        Thread reader =
            new Thread(
                () -> {
                  try {
                    BufferedSource source = Okio.buffer(socket.getSource());
                    source.timeout().timeout(20, TimeUnit.SECONDS);
                    Buffer discard = new Buffer();
                    while (source.read(discard, 8192) != -1) {
                      discard.clear();
                    }
                    clientClosed.countDown(); // EOF: the client closed the connection
                  } catch (InterruptedIOException e) {
                    // the client never closed; awaitClientClosed reports it
                  } catch (IOException e) {
                    clientClosed.countDown(); // reset by the client: closed too
                  }
                },
                "fake-provider-reader");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && clientClosed.getCount() > 0) {
          if (released.await(20, TimeUnit.MILLISECONDS)) {
            sink.writeUtf8(rest);
            sink.flush();
            sink.close();
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        clientClosed.countDown();
      }
    }

    public boolean awaitFirstSent() throws InterruptedException {
      return firstSent.await(10, TimeUnit.SECONDS);
    }

    /** True when the client closed the connection within 10 s. */
    public boolean awaitClientClosed() throws InterruptedException {
      return clientClosed.await(10, TimeUnit.SECONDS);
    }
  }
}
