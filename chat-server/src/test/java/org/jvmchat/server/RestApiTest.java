package org.jvmchat.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvmchat.persistence.NewMessage;
import org.jvmchat.server.support.TestServer;

/** The REST API of CONTRACT.md against the server running in this JVM (in-memory store). */
class RestApiTest {
  static TestServer server;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    server = new TestServer();
    alice = server.token("alice", "Alice");
    bob = server.token("bob", "Bob");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode p = TestServer.json(r);
    assertThat(p.get("status").asInt()).isEqualTo(status);
    assertThat(p.get("title").asText()).isNotBlank();
  }

  @Test
  void createRoomAnswers201WithLocationAndTheRoom() throws Exception {
    HttpResponse<String> r =
        server.post(
            "/api/v1/rooms", alice, "{\"name\":\"General \uD83D\uDE00\",\"isPrivate\":false}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode room = TestServer.json(r);
    assertThat(room.get("name").asText()).isEqualTo("General \uD83D\uDE00");
    assertThat(room.get("isPrivate").asBoolean()).isFalse();
    assertThat(room.get("createdBy").asText()).isEqualTo("alice");
    assertThat(room.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(room.fieldNames())
        .toIterable()
        .containsExactly("id", "name", "isPrivate", "createdBy", "createdAt");
    assertThat(r.headers().firstValue("location"))
        .hasValue("/api/v1/rooms/" + room.get("id").asText());
    HttpResponse<String> fetched = server.get(r.headers().firstValue("location").get(), alice);
    assertThat(TestServer.json(fetched)).isEqualTo(room);
  }

  @Test
  void roomListShowsPublicRoomsAndOnlyTheCallersPrivateRooms() throws Exception {
    String open = server.createRoom("alice", "open", false);
    String secret = server.createRoom("alice", "secret", true);
    List<String> forAlice = ids(server.get("/api/v1/rooms", alice));
    List<String> forBob = ids(server.get("/api/v1/rooms", bob));
    assertThat(forAlice).contains(open, secret);
    assertThat(forBob).contains(open).doesNotContain(secret);
  }

  private static List<String> ids(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    TestServer.json(r).forEach(n -> ids.add(n.get("id").asText()));
    return ids;
  }

  @Test
  void anonymousRequestsGet401Problems() throws Exception {
    String room = server.createRoom("alice", "r401", false);
    assertProblem(server.get("/api/v1/rooms", null), 401);
    assertProblem(server.post("/api/v1/rooms", null, "{\"name\":\"x\"}"), 401);
    assertProblem(server.get("/api/v1/rooms/" + room + "/messages", null), 401);
    assertProblem(
        server.post("/api/v1/rooms/" + room + "/participants", null, "{\"userId\":\"x\"}"), 401);
    assertProblem(server.get("/api/v1/rooms", "not-a-jwt"), 401);
    assertThat(server.get("/api/v1/rooms", null).headers().firstValue("www-authenticate"))
        .hasValue("Bearer");
  }

  @Test
  void negotiateWithoutATokenIs401() throws Exception {
    HttpResponse<String> r = server.post("/hubs/chat/negotiate?negotiateVersion=1", null, "");
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void badInputIs400() throws Exception {
    assertProblem(server.post("/api/v1/rooms", alice, "not json"), 400);
    assertProblem(server.post("/api/v1/rooms", alice, "[1]"), 400);
    assertProblem(server.post("/api/v1/rooms", alice, "{}"), 400);
    assertProblem(server.post("/api/v1/rooms", alice, "{\"name\":\"   \"}"), 400);
    assertProblem(
        server.post("/api/v1/rooms", alice, "{\"name\":\"" + "x".repeat(101) + "\"}"), 400);
    assertProblem(
        server.post("/api/v1/rooms", alice, "{\"name\":\"a\",\"isPrivate\":\"yes\"}"), 400);
    assertProblem(server.post("/api/v1/rooms", alice, "{\"name\":42}"), 400);
    String room = server.createRoom("alice", "r400", false);
    for (String q : List.of("limit=0", "limit=201", "limit=abc", "before=xyz", "limit=-1")) {
      assertProblem(server.get("/api/v1/rooms/" + room + "/messages?" + q, alice), 400);
    }
    assertProblem(server.get("/api/v1/rooms/not-an-id/messages", alice), 400);
    assertProblem(
        server.post("/api/v1/rooms/" + room + "/participants", alice, "{\"userId\":\"\"}"), 400);
    assertProblem(
        server.post("/api/v1/rooms/" + room + "/participants", alice, "{\"user\":\"bob\"}"), 400);
    HttpResponse<String> detail =
        server.get("/api/v1/rooms/" + room + "/messages?limit=500", alice);
    assertThat(TestServer.json(detail).get("detail").asText()).contains("1", "200");
  }

  @Test
  void unknownRoomIs404() throws Exception {
    String unknown = "0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d";
    assertProblem(server.get("/api/v1/rooms/" + unknown + "/messages", alice), 404);
    assertProblem(server.get("/api/v1/rooms/" + unknown, alice), 404);
    assertProblem(
        server.post("/api/v1/rooms/" + unknown + "/participants", alice, "{\"userId\":\"bob\"}"),
        404);
  }

  @Test
  void privateRoomIs403ForOthersUntilAParticipantAddsThem() throws Exception {
    String room = server.createRoom("alice", "private", true);
    assertProblem(server.get("/api/v1/rooms/" + room + "/messages", bob), 403);
    assertProblem(server.get("/api/v1/rooms/" + room, bob), 403);
    assertProblem(
        server.post("/api/v1/rooms/" + room + "/participants", bob, "{\"userId\":\"bob\"}"), 403);
    HttpResponse<String> added =
        server.post("/api/v1/rooms/" + room + "/participants", alice, "{\"userId\":\"bob\"}");
    assertThat(added.statusCode()).isEqualTo(204);
    assertThat(added.body()).isEmpty();
    assertThat(server.get("/api/v1/rooms/" + room + "/messages", bob).statusCode()).isEqualTo(200);
    assertThat(ids(server.get("/api/v1/rooms", bob))).contains(room);
    // adding again is fine
    assertThat(
            server
                .post("/api/v1/rooms/" + room + "/participants", bob, "{\"userId\":\"bob\"}")
                .statusCode())
        .isEqualTo(204);
  }

  @Test
  void onlyAParticipantMayAddParticipantsToAPublicRoom() throws Exception {
    String room = server.createRoom("alice", "public-add", false);
    assertProblem(
        server.post("/api/v1/rooms/" + room + "/participants", bob, "{\"userId\":\"carol\"}"), 403);
  }

  @Test
  void historyPagesBackwardsThrough130MessagesWithoutLossOrDuplicate() throws Exception {
    String room = server.createRoom("alice", "history", false);
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      String content = "message " + i;
      sent.add(content);
      server.store.append(NewMessage.user(room, "alice", "Alice", content)).join();
    }
    HttpResponse<String> first = server.get("/api/v1/rooms/" + room + "/messages", alice);
    assertThat(first.statusCode()).isEqualTo(200);
    JsonNode page = TestServer.json(first);
    assertThat(page.get("items")).hasSize(50); // default limit
    assertThat(page.get("items").get(49).get("content").asText()).isEqualTo("message 129");

    List<String> seen = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String before = null;
    int pages = 0;
    do {
      String path =
          "/api/v1/rooms/"
              + room
              + "/messages?limit=40"
              + (before == null ? "" : "&before=" + before);
      page = TestServer.json(server.get(path, alice));
      List<String> chunk = new ArrayList<>();
      for (JsonNode m : page.get("items")) {
        chunk.add(m.get("content").asText());
        assertThat(ids.add(m.get("id").asText())).isTrue();
        assertThat(m.fieldNames())
            .toIterable()
            .containsExactly(
                "id", "roomId", "seq", "senderId", "senderName", "content", "kind", "createdAt");
        assertThat(m.get("kind").asText()).isEqualTo("user");
      }
      seen.addAll(0, chunk); // each page is oldest first, and older pages go in front
      before = page.get("nextBefore").isNull() ? null : page.get("nextBefore").asText();
      pages++;
    } while (before != null);
    assertThat(pages).isEqualTo(4);
    assertThat(seen).isEqualTo(sent);
    assertThat(page.has("nextBefore")).isTrue();
  }

  @Test
  void afterPagesForwardBySeqWithNextAfter() throws Exception {
    String room = server.createRoom("alice", "after", false);
    for (int i = 1; i <= 25; i++) {
      server.store.append(NewMessage.user(room, "alice", "Alice", "m" + i)).join();
    }
    List<Long> seqs = new ArrayList<>();
    List<String> contents = new ArrayList<>();
    String after = "0";
    int pages = 0;
    while (after != null) {
      JsonNode page =
          TestServer.json(
              server.get("/api/v1/rooms/" + room + "/messages?limit=10&after=" + after, alice));
      assertThat(page.fieldNames()).toIterable().containsExactly("items", "nextAfter");
      for (JsonNode m : page.get("items")) {
        seqs.add(m.get("seq").asLong());
        contents.add(m.get("content").asText());
      }
      after = page.get("nextAfter").isNull() ? null : page.get("nextAfter").asText();
      pages++;
    }
    assertThat(pages).isEqualTo(3);
    assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 25).boxed().toList());
    assertThat(contents.get(0)).isEqualTo("m1");
    JsonNode tail =
        TestServer.json(server.get("/api/v1/rooms/" + room + "/messages?after=22", alice));
    assertThat(tail.get("items")).hasSize(3); // the default limit is 50
    assertThat(tail.get("items").get(0).get("seq").asLong()).isEqualTo(23);
    assertThat(tail.get("nextAfter").isNull()).isTrue();
    JsonNode beyond =
        TestServer.json(server.get("/api/v1/rooms/" + room + "/messages?after=99", alice));
    assertThat(beyond.get("items")).isEmpty();
    // the newest page (no before, no after) carries seq too
    JsonNode newest = TestServer.json(server.get("/api/v1/rooms/" + room + "/messages", alice));
    assertThat(newest.get("items").get(24).get("seq").asLong()).isEqualTo(25);
  }

  @Test
  void afterRejectsBadInputAndBeforeWithAfter() throws Exception {
    String room = server.createRoom("alice", "after400", false);
    var m = server.store.append(NewMessage.user(room, "alice", "Alice", "x")).join();
    for (String q :
        List.of("after=-1", "after=abc", "after=1.5", "after=0&limit=0", "after=0&limit=201")) {
      assertProblem(server.get("/api/v1/rooms/" + room + "/messages?" + q, alice), 400);
    }
    HttpResponse<String> both =
        server.get("/api/v1/rooms/" + room + "/messages?after=0&before=" + m.id(), alice);
    assertProblem(both, 400);
    assertThat(TestServer.json(both).get("detail").asText()).contains("before", "after");
    String priv = server.createRoom("alice", "after403", true);
    assertProblem(server.get("/api/v1/rooms/" + priv + "/messages?after=0", bob), 403);
    assertProblem(
        server.get("/api/v1/rooms/0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d/messages?after=0", alice),
        404);
  }

  @Test
  void devTokenIssuesATokenTheServerAccepts() throws Exception {
    HttpResponse<String> r =
        server.post("/api/v1/auth/dev-token", null, "{\"userId\":\"dora\",\"name\":\"Dora\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    String token = TestServer.json(r).get("accessToken").asText();
    assertThat(server.get("/api/v1/rooms", token).statusCode()).isEqualTo(200);
    assertProblem(server.post("/api/v1/auth/dev-token", null, "{\"name\":\"x\"}"), 400);
    assertProblem(
        server.post("/api/v1/auth/dev-token", null, "{\"userId\":\"" + "u".repeat(65) + "\"}"),
        400);
  }

  @Test
  void healthLivenessReadinessAndMetricsNeedNoToken() throws Exception {
    HttpResponse<String> health = server.get("/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode h = TestServer.json(health);
    assertThat(h.get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("entries").get("store").get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("entries").get("backplane").get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("entries").get("assistant").get("status").asText()).isEqualTo("disabled");
    assertThat(server.get("/health/live", null).statusCode()).isEqualTo(200);
    assertThat(server.get("/health/ready", null).statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = server.get("/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes", "process_uptime_seconds");
  }

  @Test
  void theChatPageAndTheSignalrBundleAreServed() throws Exception {
    HttpResponse<String> page = server.get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("/js/signalr.min.js", "/app.js");
    assertThat(server.get("/app.js", null).body())
        .contains("textContent")
        .doesNotContain("innerHTML");
    HttpResponse<String> bundle = server.get("/js/signalr.min.js", null);
    assertThat(bundle.statusCode()).isEqualTo(200);
    assertThat(bundle.body()).contains("HubConnectionBuilder");
    assertThat(server.get("/js/signalr-protocol-msgpack.min.js", null).statusCode()).isEqualTo(200);
    assertThat(server.get("/js/..%2Fapp.js", null).statusCode()).isEqualTo(404);
    assertThat(server.get("/js/nothing.js", null).statusCode()).isEqualTo(404);
  }
}
