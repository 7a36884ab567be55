package org.jvmchat.client.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.jvmchat.client.RetryPolicy;
import org.jvmchat.protocol.HubProtocol;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/** The validated, immutable configuration of one connection (built by HubConnectionBuilder). */
public record ClientOptions(
    HttpUrl url,
    Supplier<String> accessTokenProvider,
    Map<String, String> headers,
    Set<HttpTransportType> transports,
    boolean skipNegotiation,
    HubProtocol protocol,
    Duration handshakeTimeout,
    Duration keepAliveInterval,
    Duration serverTimeout,
    Duration httpTimeout,
    OkHttpClient httpClient,
    Executor executor,
    RetryPolicy retryPolicy,
    boolean statefulReconnect,
    long statefulReconnectBufferSize,
    int streamBufferCapacity,
    int maxReceiveMessageSize) {}
