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
    int maxReceiveMessageSize,
    Supplier<Map<String, String>> queryParameters) {

  /**
   * The URL of one connect attempt: {@link #url()} with the {@link #queryParameters()} of this
   * moment added (asked again at every start and reconnect).
   */
  public HttpUrl connectUrl() {
    Map<String, String> extra = queryParameters == null ? null : queryParameters.get();
    if (extra == null || extra.isEmpty()) {
      return url;
    }
    HttpUrl.Builder b = url.newBuilder();
    extra.forEach(
        (name, value) -> {
          if (name != null && value != null) {
            b.removeAllQueryParameters(name).addQueryParameter(name, value);
          }
        });
    return b.build();
  }
}
