package org.jvmchat.client.internal.transport;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import okhttp3.Headers;
import okhttp3.OkHttpClient;

/**
 * What transports need from their connection.
 *
 * @param http the connection's OkHttp client (timeouts = the HTTP timeout)
 * @param headers the headers of every request: user headers and {@code Authorization}
 * @param timer the connection's scheduler
 * @param httpTimeout timeout of POST/DELETE requests and of each long poll
 */
public record TransportContext(
    OkHttpClient http,
    Supplier<Headers> headers,
    ScheduledExecutorService timer,
    Duration httpTimeout) {}
