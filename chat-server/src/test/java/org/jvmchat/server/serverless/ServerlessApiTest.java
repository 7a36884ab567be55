package org.jvmchat.server.serverless;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmchat.hub.Hub;
import org.jvmchat.hub.HubServer;
import org.jvmchat.hub.internal.lifetime.DefaultHubLifetimeManager;
import org.jvmchat.hub.spi.HubConnectionContext;
import org.jvmchat.hub.spi.HubLifetimeManager;
import org.jvmchat.protocol.CompletionMessage;

/**
 * The REST API in front of a lifetime manager that offers only the base SPI (as Azure SignalR
 * Service's default mode does): sends work, the cluster-wide operations answer {@code 501
 * Error.NotSupported} with the service's error object, and a request the API cannot read is a 400
 * that leaves the server serving.
 */
class ServerlessApiTest {
  static final String KEY = "serverless-api-test-key-0123456789-abcdef";

  /** Delegates the base SPI only: every cluster-wide operation keeps its failing default. */
  static final class BaseOnly implements HubLifetimeManager {
    private final HubLifetimeManager d;

    BaseOnly(HubLifetimeManager d) {
      this.d = d;
    }

    @Override
    public CompletableFuture<Void> onConnected(HubConnectionContext c) {
      return d.onConnected(c);
    }

    @Override
    public CompletableFuture<Void> onDisconnected(HubConnectionContext c) {
      return d.onDisconnected(c);
    }

    @Override
    public CompletableFuture<Void> sendAll(String m, Object[] a, Collection<String> ex) {
      return d.sendAll(m, a, ex);
    }

    @Override
    public CompletableFuture<Void> sendConnection(String id, String m, Object[] a) {
      return d.sendConnection(id, m, a);
    }

    @Override
    public CompletableFuture<Void> sendConnections(Collection<String> ids, String m, Object[] a) {
      return d.sendConnections(ids, m, a);
    }

    @Override
    public CompletableFuture<Void> sendGroup(
        String g, String m, Object[] a, Collection<String> ex) {
      return d.sendGroup(g, m, a, ex);
    }

    @Override
    public CompletableFuture<Void> sendGroups(Collection<String> gs, String m, Object[] a) {
      return d.sendGroups(gs, m, a);
    }

    @Override
    public CompletableFuture<Void> sendUser(String u, String m, Object[] a) {
      return d.sendUser(u, m, a);
    }

    @Override
    public CompletableFuture<Void> sendUsers(Collection<String> us, String m, Object[] a) {
      return d.sendUsers(us, m, a);
    }

    @Override
    public CompletableFuture<Void> addToGroup(String id, String g) {
      return d.addToGroup(id, g);
    }

    @Override
    public CompletableFuture<Void> removeFromGroup(String id, String g) {
      return d.removeFromGroup(id, g);
    }

    @Override
    public <T> CompletableFuture<T> invokeConnection(
        String id, String m, Object[] a, Type t, Duration timeout) {
      return d.invokeConnection(id, m, a, t, timeout);
    }

    @Override
    public void setConnectionResult(String id, CompletionMessage r) {
      d.setConnectionResult(id, r);
    }

    @Override
    public Type resultType(String id, String invocationId) {
      return d.resultType(id, invocationId);
    }
  }

  public static final class Quiet extends Hub {}

  HubServer server;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    AtomicReference<HubServer> ref = new AtomicReference<>();
    HubServer.Builder b =
        HubServer.builder()
            .host("127.0.0.1")
            .port(0)
            .hub("/hubs/chat", Quiet::new)
            .authenticator(ServerlessApi.exempting(r -> null))
            .lifetimeManagerFactory(c -> new BaseOnly(new DefaultHubLifetimeManager(c)));
    new ServerlessApi(KEY, List.of("/hubs/chat"), p -> ref.get().hubContext(p), Clock.systemUTC())
        .register(b);
    server = b.build().start();
    ref.set(server);
  }

  @AfterEach
  void stop() {
    server.stop(Duration.ofSeconds(1));
  }

  private HttpResponse<String> call(String method, String path, String query, String body)
      throws Exception {
    String base = "http://127.0.0.1:" + server.port();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .audience(base + path)
                .expirationTime(new Date(System.currentTimeMillis() + 60_000))
                .build());
    jwt.sign(new MACSigner(KEY.getBytes(StandardCharsets.UTF_8)));
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(base + path + query))
            .header("Authorization", "Bearer " + jwt.serialize())
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void sendsWorkAndTheClusterWideOperationsAnswer501WithTheServiceErrorObject() throws Exception {
    assertThat(call("POST", "/api/hubs/chat/:send", "", "{\"target\":\"T\"}").statusCode())
        .isEqualTo(202);

    for (String[] op :
        new String[][] {
          {"PUT", "/api/hubs/chat/users/alice/groups/g"},
          {"DELETE", "/api/hubs/chat/users/alice/groups"},
          {"GET", "/api/v1/hubs/chat/users/alice/groups/g"},
          {"POST", "/api/hubs/chat/:closeConnections"},
          {"DELETE", "/api/hubs/chat/connections/c1"},
          {"DELETE", "/api/hubs/chat/connections/c1/groups"},
          {"GET", "/api/hubs/chat/connections/c1"},
          {"GET", "/api/hubs/chat/users/alice"},
          {"GET", "/api/hubs/chat/groups/g"},
        }) {
      HttpResponse<String> r = call(op[0], op[1], "?api-version=2022-06-01", null);
      assertThat(r.statusCode()).as(op[0] + " " + op[1]).isEqualTo(501);
      assertThat(r.headers().firstValue("x-ms-error-code")).hasValue("Error.NotSupported");
      assertThat(r.body()).contains("\"code\":\"Error.NotSupported\"").contains(op[1]);
    }
  }

  @Test
  void badInputIsA400ThatLeavesTheServerServing() throws Exception {
    HttpResponse<String> r = call("POST", "/api/hubs/chat/:send", "", "{not json");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("x-ms-error-code")).hasValue("Error.InvalidPayload");
    r = call("PUT", "/api/hubs/chat/users/alice/groups/g", "?ttl=1.5", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Error.InvalidTtl");
    r = call("PUT", "/api/hubs/chat/users/alice/groups/%20", "", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("Error.InvalidGroupName");

    assertThat(call("POST", "/api/v1/hubs/chat", "", "{\"target\":\"T\"}").statusCode())
        .isEqualTo(202);
  }
}
