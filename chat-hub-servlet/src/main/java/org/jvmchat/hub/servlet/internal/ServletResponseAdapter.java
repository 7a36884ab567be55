package org.jvmchat.hub.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jvmchat.hub.internal.host.HostResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Servlet response as the connection layer answers it: synchronously (on the request's thread, a
 * WebSocket upgrade's refusal) or through an {@link AsyncContext} started before the request's
 * thread returns, so that any thread may answer later (a POST once its bytes were taken in, a held
 * long poll, an SSE stream).
 *
 * <p>Whole answers of at most {@link #DIRECT_LIMIT} bytes are written by the answering thread (they
 * fit the container's response buffer: no blocking); larger ones are written on a container thread
 * ({@link AsyncContext#start}), since a slow client would block the writer. SSE streams use
 * non-blocking output ({@link WriteListener}): the connection writes only while the stream {@link
 * ServletOutputStream#isReady() is ready} and resumes when the container says it is again.
 */
final class ServletResponseAdapter implements HostResponse {
  private static final Logger log = LoggerFactory.getLogger(ServletResponseAdapter.class);
  static final int DIRECT_LIMIT = 4096;

  private final HttpServletResponse response;
  private final AsyncContext async;
  private final AtomicBoolean answered = new AtomicBoolean();

  private ServletResponseAdapter(HttpServletResponse response, AsyncContext async) {
    this.response = response;
    this.async = async;
  }

  static ServletResponseAdapter sync(HttpServletResponse response) {
    return new ServletResponseAdapter(response, null);
  }

  static ServletResponseAdapter async(HttpServletRequest request) {
    AsyncContext async = request.startAsync();
    async.setTimeout(0); // held polls and streams end by the connection's own timers
    return new ServletResponseAdapter((HttpServletResponse) async.getResponse(), async);
  }

  @Override
  public void send(int status, String contentType, byte[] body, String... headers) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    if (async == null || body.length <= DIRECT_LIMIT) {
      write(status, contentType, body, headers);
    } else {
      async.start(() -> write(status, contentType, body, headers));
    }
  }

  private void write(int status, String contentType, byte[] body, String[] headers) {
    try {
      response.setStatus(status);
      if (contentType != null) {
        response.setContentType(contentType);
      }
      for (int i = 0; i + 1 < headers.length; i += 2) {
        response.setHeader(headers[i], headers[i + 1]);
      }
      response.setContentLength(body.length);
      if (body.length > 0) {
        response.getOutputStream().write(body);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("Answering a hub request failed (the client left?)", e);
    } finally {
      if (async != null) {
        try {
          async.complete();
        } catch (IllegalStateException alreadyDone) {
          // the container ended the exchange (the client left)
        }
      }
    }
  }

  @Override
  public HostStream openStream(int status, String contentType, String... headers) {
    if (async == null || !answered.compareAndSet(false, true)) {
      throw new IllegalStateException("Not an open asynchronous exchange");
    }
    response.setStatus(status);
    response.setContentType(contentType);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      response.setHeader(headers[i], headers[i + 1]);
    }
    try {
      return new Stream(async, response.getOutputStream());
    } catch (IOException e) {
      throw new IllegalStateException("The response cannot be written", e);
    }
  }

  /** An SSE stream on non-blocking Servlet output. */
  private static final class Stream implements HostStream, WriteListener, AsyncListener {
    private final AsyncContext async;
    private final ServletOutputStream out;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Runnable whenWritable = () -> {};
    private volatile Runnable whenClosed = () -> {};
    private boolean needsFlush; // guarded by this
    private byte[] held; // guarded by this: written once the stream is ready
    private boolean endRequested; // guarded by this: end once held and unflushed bytes are out
    private boolean ended; // guarded by this

    Stream(AsyncContext async, ServletOutputStream out) {
      this.async = async;
      this.out = out;
      async.addListener(this);
      out.setWriteListener(this);
    }

    @Override
    public synchronized boolean isWritable() {
      return !ended && !needsFlush && held == null && out.isReady();
    }

    @Override
    public synchronized void write(byte[] bytes) {
      if (ended) {
        return;
      }
      try {
        if (held != null || !out.isReady()) {
          // Kept until onWritePossible (the connection writes only while writable, so this is
          // at most the stream's opening comment and one drain).
          held = held == null ? bytes : concat(held, bytes);
          return;
        }
        writeAndFlush(bytes);
      } catch (IOException | IllegalStateException e) {
        failed(e);
      }
    }

    /** Guarded by this; the stream is ready. */
    private void writeAndFlush(byte[] bytes) throws IOException {
      out.write(bytes);
      if (out.isReady()) {
        out.flush();
      } else {
        needsFlush = true; // onWritePossible flushes
      }
    }

    private static byte[] concat(byte[] a, byte[] b) {
      byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, c, a.length, b.length);
      return c;
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void onWritable(Runnable whenWritable) {
      this.whenWritable = whenWritable;
    }

    @Override
    public void onClosed(Runnable whenClosed) {
      this.whenClosed = whenClosed;
    }

    @Override
    public void end() {
      synchronized (this) {
        if (ended || endRequested) {
          return;
        }
        if (held != null || needsFlush) {
          endRequested = true; // onWritePossible completes once the kept bytes are out
          return;
        }
        ended = true;
      }
      complete();
    }

    @Override
    public void abort() {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
      }
      complete();
    }

    private void complete() {
      try {
        async.complete();
      } catch (IllegalStateException alreadyDone) {
        // ended by the container
      }
      closed();
    }

    private void failed(Throwable e) {
      log.debug("SSE stream failed", e);
      synchronized (this) {
        ended = true;
      }
      complete();
    }

    private void closed() {
      if (closed.compareAndSet(false, true)) {
        whenClosed.run();
      }
    }

    // WriteListener (container threads)

    @Override
    public void onWritePossible() {
      boolean ready;
      synchronized (this) {
        if (ended) {
          return;
        }
        try {
          if (needsFlush && out.isReady()) {
            out.flush();
            needsFlush = false;
          }
          if (held != null && !needsFlush && out.isReady()) {
            byte[] bytes = held;
            held = null;
            writeAndFlush(bytes);
          }
          ready = !needsFlush && held == null && out.isReady();
        } catch (IOException | IllegalStateException e) {
          failed(e);
          return;
        }
        if (ready && endRequested) {
          ended = true;
        }
      }
      if (ready && endRequested) {
        complete();
      } else if (ready) {
        whenWritable.run();
      }
    }

    @Override
    public void onError(Throwable t) {
      failed(t);
    }

    // AsyncListener

    @Override
    public void onComplete(AsyncEvent event) {
      closed();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      failed(new IOException("timed out"));
    }

    @Override
    public void onError(AsyncEvent event) {
      failed(event.getThrowable() == null ? new IOException("failed") : event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
