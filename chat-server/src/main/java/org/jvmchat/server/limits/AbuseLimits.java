package org.jvmchat.server.limits;

import java.time.Duration;
import java.util.Set;
import org.jvmchat.hub.ConnectionAdmission;
import org.jvmchat.hub.HubFilter;
import org.jvmchat.hub.HubInvocationContext;
import org.jvmchat.hub.HubUser;
import org.jvmchat.hub.http.HttpHandler;
import org.jvmchat.hub.http.HttpRequest;
import org.jvmchat.hub.http.HttpResponse;
import org.jvmchat.protocol.HubException;
import org.jvmchat.server.config.OperationsSettings;

/**
 * The chat server's abuse limits (see {@link OperationsSettings}):
 *
 * <ul>
 *   <li>{@code MAX_CONNECTIONS_PER_USER}: negotiate (or a WebSocket that skips it) answers {@code
 *       429} with {@code Retry-After} and a problem+json body once the user has that many open
 *       connections and negotiations in flight on all instances ({@link RedisConnectionCounts} with
 *       Redis, else {@link LocalConnectionCounts}); a negotiation counts from the moment it is
 *       admitted until its connection closes or its token expires unused;
 *   <li>{@code MESSAGE_RATE_LIMIT}: a token bucket per user, shared through Redis when there is
 *       one, taken from by {@code SendMessage} and {@code SendTyping}; past it the invocation fails
 *       with a readable {@link HubException}, before anything is stored or sent, and the connection
 *       stays open;
 *   <li>{@code NEGOTIATE_RATE_LIMIT_PER_IP} and {@code DEV_TOKEN_RATE_LIMIT_PER_IP}: token buckets
 *       per client IP address on each instance; past them {@code 429} with {@code Retry-After}.
 * </ul>
 */
public final class AbuseLimits implements ConnectionAdmission, HubFilter, AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AbuseLimits.class);

  /** Prefix of every Redis key the limits use. */
  public static final String KEY_PREFIX = "jvmchat:limits:";

  /** The hub methods {@code MESSAGE_RATE_LIMIT} counts. */
  public static final Set<String> RATE_LIMITED_METHODS = Set.of("SendMessage", "SendTyping");

  /** Retry-After of a refusal by the connection cap: a connection has to close first. */
  static final Duration CONNECTION_CAP_RETRY_AFTER = Duration.ofSeconds(5);

  private final OperationsSettings settings;
  private final LimitsRedis redis;
  private final UserConnectionCounts connections;
  private final TokenBuckets messages;
  private final TokenBuckets negotiatesPerIp;
  private final TokenBuckets devTokensPerIp;
  private final java.util.function.Consumer<String> rejected;
  // Connections created for a reservation of admit (counted since negotiate), until they end.
  private final Set<String> reserved = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param redisUrl Redis for limits shared by every instance; null for this instance only
   * @param instanceName a readable name of this instance (its id or host name), or null
   */
  public AbuseLimits(OperationsSettings settings, String redisUrl, String instanceName) {
    this(settings, redisUrl, instanceName, limit -> {});
  }

  /**
   * @param rejected told the name of the limit ({@code connections}, {@code messages}, {@code
   *     negotiate_per_ip}, {@code dev_token_per_ip}) at each refusal, e.g. for a metric
   */
  public AbuseLimits(
      OperationsSettings settings,
      String redisUrl,
      String instanceName,
      java.util.function.Consumer<String> rejected) {
    this(settings, redisUrl, instanceName, rejected, null);
  }

  /**
   * @param redisLatency told each Redis command's latency (the server's Lettuce metrics), or null
   */
  public AbuseLimits(
      OperationsSettings settings,
      String redisUrl,
      String instanceName,
      java.util.function.Consumer<String> rejected,
      io.lettuce.core.metrics.CommandLatencyRecorder redisLatency) {
    this.settings = settings;
    this.rejected = rejected;
    boolean shared =
        redisUrl != null
            && (settings.maxConnectionsPerUser() > 0 || settings.messageRateLimit() != null);
    this.redis = shared ? new LimitsRedis(redisUrl, redisLatency) : null;
    if (settings.maxConnectionsPerUser() <= 0) {
      this.connections = null;
    } else if (redis != null) {
      this.connections =
          new RedisConnectionCounts(redis, KEY_PREFIX, instanceName, settings.connectionCountTtl());
    } else {
      this.connections = new LocalConnectionCounts();
    }
    RateLimit m = settings.messageRateLimit();
    this.messages =
        m == null
            ? null
            : redis != null
                ? new RedisTokenBuckets(redis, KEY_PREFIX + "msg:", m)
                : new LocalTokenBuckets(m);
    this.negotiatesPerIp =
        settings.negotiateRateLimitPerIp() == null
            ? null
            : new LocalTokenBuckets(settings.negotiateRateLimitPerIp());
    this.devTokensPerIp =
        settings.devTokenRateLimitPerIp() == null
            ? null
            : new LocalTokenBuckets(settings.devTokenRateLimitPerIp());
  }

  /** True when any connection limit is set (the hub then needs this as its admission). */
  public boolean limitsConnections() {
    return connections != null || negotiatesPerIp != null;
  }

  /** True when {@code MESSAGE_RATE_LIMIT} is set (the hub then needs this as a filter). */
  public boolean limitsMessages() {
    return messages != null;
  }

  /**
   * The message filter blocks only when it asks Redis ({@code REDIS_URL} with {@code
   * MESSAGE_RATE_LIMIT}); in memory it is CPU work, so {@code @NonBlocking} hub methods stay on the
   * I/O thread.
   */
  @Override
  public boolean nonBlocking() {
    return !(messages instanceof RedisTokenBuckets);
  }

  // ------------------------------------------------------------------ connections

  @Override
  public HttpResponse admit(String hubPath, HttpRequest request) {
    if (negotiatesPerIp != null) {
      Duration wait = negotiatesPerIp.tryTake(clientIp(request.remoteAddress()));
      if (!wait.isZero()) {
        rejected.accept("negotiate_per_ip");
        return tooManyRequests(
            wait,
            "Too many connection attempts from this address (at most "
                + settings.negotiateRateLimitPerIp()
                + "); retry after "
                + seconds(wait)
                + " s.");
      }
    }
    HubUser user = request.user();
    if (connections != null && user != null) {
      // A reservation, held until the connection it becomes closes or the hub releases it (see
      // ConnectionAdmission): admissions in flight count, so the cap holds under concurrency.
      int max = settings.maxConnectionsPerUser();
      int open = connections.reserve(user.id(), max);
      if (open >= 0) {
        rejected.accept("connections");
        return tooManyRequests(
            CONNECTION_CAP_RETRY_AFTER,
            "User '"
                + user.id()
                + "' already has "
                + open
                + " open connection"
                + (open == 1 ? "" : "s")
                + " (at most "
                + max
                + " per user); close one and retry.");
      }
    }
    return null;
  }

  @Override
  public void admitted(String hubPath, String connectionId, HubUser user) {
    if (connections != null && user != null) {
      reserved.add(connectionId);
    }
  }

  @Override
  public void connected(String hubPath, String connectionId, HubUser user) {
    // An admitted connection was counted by its reservation; one negotiated on another instance
    // counts from now on.
    if (connections != null && user != null && !reserved.contains(connectionId)) {
      connections.connected(user.id());
    }
  }

  @Override
  public void disconnected(String hubPath, String connectionId, HubUser user) {
    if (connections != null && user != null) {
      reserved.remove(connectionId);
      connections.disconnected(user.id());
    }
  }

  @Override
  public void released(String hubPath, String connectionId, HubUser user) {
    if (connections != null && user != null) {
      if (connectionId != null) {
        reserved.remove(connectionId);
      }
      connections.disconnected(user.id());
    }
  }

  // ------------------------------------------------------------------ messages

  @Override
  public Object invoke(HubInvocationContext invocation, Next next) throws Exception {
    if (messages != null && RATE_LIMITED_METHODS.contains(invocation.methodName())) {
      HubUser user = invocation.context().user();
      String key = user != null ? user.id() : "connection:" + invocation.context().connectionId();
      Duration wait = messages.tryTake(key);
      if (!wait.isZero()) {
        rejected.accept("messages");
        log.debug("{} refused by MESSAGE_RATE_LIMIT", invocation.methodName());
        throw new HubException(
            "Rate limit exceeded: at most "
                + settings.messageRateLimit().count()
                + " messages per "
                + describe(settings.messageRateLimit().period())
                + " (SendMessage and SendTyping together); try again in "
                + seconds(wait)
                + " s.");
      }
    }
    return next.invoke(invocation);
  }

  // ------------------------------------------------------------------ dev tokens

  /** {@code handler} behind {@code DEV_TOKEN_RATE_LIMIT_PER_IP} (itself when unset). */
  public HttpHandler limitDevTokens(HttpHandler handler) {
    if (devTokensPerIp == null) {
      return handler;
    }
    return request -> {
      Duration wait = devTokensPerIp.tryTake(clientIp(request.remoteAddress()));
      if (!wait.isZero()) {
        rejected.accept("dev_token_per_ip");
        return tooManyRequests(
            wait,
            "Too many token requests from this address (at most "
                + settings.devTokenRateLimitPerIp()
                + "); retry after "
                + seconds(wait)
                + " s.");
      }
      return handler.handle(request);
    };
  }

  // ------------------------------------------------------------------ helpers

  static HttpResponse tooManyRequests(Duration retryAfter, String detail) {
    return HttpResponse.problem(429, "Too Many Requests", detail)
        .withHeader("Retry-After", Long.toString(seconds(retryAfter)))
        .withHeader("Access-Control-Expose-Headers", "Retry-After");
  }

  /** Whole seconds, rounded up, at least 1 (as {@code Retry-After} wants them). */
  static long seconds(Duration d) {
    long s = (d.toMillis() + 999) / 1000;
    return Math.max(1, s);
  }

  private static String describe(Duration period) {
    long ms = period.toMillis();
    if (ms % 1000 != 0) {
      return ms + " ms";
    }
    long s = ms / 1000;
    if (s == 1) {
      return "second";
    }
    if (s % 3600 == 0) {
      return s == 3600 ? "hour" : s / 3600 + " hours";
    }
    if (s % 60 == 0) {
      return s == 60 ? "minute" : s / 60 + " minutes";
    }
    return s + " seconds";
  }

  /**
   * The IP address of a remote address as the hub core gives it ({@code /127.0.0.1:5123}, {@code
   * host/10.0.0.7:80}, {@code /[::1]:5123}).
   */
  static String clientIp(String remoteAddress) {
    if (remoteAddress == null) {
      return "unknown";
    }
    String a = remoteAddress.substring(remoteAddress.lastIndexOf('/') + 1);
    int colon = a.lastIndexOf(':');
    if (colon > 0 && (a.indexOf(':') == colon || a.charAt(colon - 1) == ']')) {
      a = a.substring(0, colon);
    }
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    return a;
  }

  @Override
  public void close() {
    if (connections != null) {
      connections.close();
    }
    if (redis != null) {
      redis.close();
    }
  }
}
