package org.jvmchat.hub.internal.host;

/**
 * The answer to one {@link HostRequest}, given at most once: a whole answer ({@link #send}), or a
 * stream ({@link #openStream}). Any thread may answer, also after the host's request handler has
 * returned (the host keeps the exchange open asynchronously).
 */
public interface HostResponse {
  /**
   * Answers with a whole body and ends the exchange.
   *
   * @param contentType null for none
   * @param headers name, value, name, value... (may be empty)
   */
  void send(int status, String contentType, byte[] body, String... headers);

  /**
   * Starts a streamed answer (Server-Sent Events): the status and the headers are sent with the
   * first write.
   */
  HostStream openStream(int status, String contentType, String... headers);

  /** A streamed answer; used by one thread at a time (the connection's executor). */
  interface HostStream {
    /** Whether a write now would not have to wait (the host buffers at most one). */
    boolean isWritable();

    /**
     * Writes and flushes {@code bytes}. When {@link #isWritable()} was false the host may keep them
     * until the client reads; {@code whenWritable} passed to {@link #onWritable} is called once the
     * stream can take more.
     */
    void write(byte[] bytes);

    /** Bytes handed over and not yet written to the socket (0 when the host cannot say). */
    long pendingBytes();

    /** Called (any thread) when the stream can take writes again, or when it ended. */
    void onWritable(Runnable whenWritable);

    /** Called (any thread) once the client went away or the stream failed. */
    void onClosed(Runnable whenClosed);

    /** Ends the answer once what was written (kept bytes too) has been flushed. */
    void end();

    /** Drops the exchange without ending it cleanly. */
    void abort();
  }
}
