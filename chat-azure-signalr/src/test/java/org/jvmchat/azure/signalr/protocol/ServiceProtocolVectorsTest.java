package org.jvmchat.azure.signalr.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.jvmchat.azure.signalr.protocol.ServiceMessage.*;

/**
 * The encoder and decoder against the binary vectors of the official SDK's protocol tests
 * (Azure/azure-signalr, {@code
 * test/Microsoft.Azure.SignalR.Protocols.Tests/ServiceProtocolFacts.cs}, its {@code TestData} and
 * {@code TestCompatibilityData}): the same message, built here, must encode to exactly those bytes,
 * and those bytes must decode to it (compared by re-encoding, and field by field where it matters).
 * The vectors are facts copied as base64 strings; no SDK code.
 */
class ServiceProtocolVectorsTest {
  private static Map<String, byte[]> payloads(int[] json, int[] msgpack) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("json", bytes(json));
    m.put("messagepack", bytes(msgpack));
    return m;
  }

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static Map<Integer, Object> tracing(long id) {
    return Map.of(ServiceMessage.EXT_TRACING_ID, id);
  }

  private static final Map<String, byte[]> P1 =
      payloads(new int[] {2, 3, 4, 5, 6, 7, 1}, new int[] {3, 4, 5, 6, 7, 1, 2});
  private static final Map<String, byte[]> P2 =
      payloads(new int[] {6, 7, 1, 2, 3, 4, 5}, new int[] {7, 1, 2, 3, 4, 5, 6});
  private static final Map<String, byte[]> P3 =
      payloads(new int[] {4, 5, 6, 7, 1, 2, 3}, new int[] {5, 6, 7, 1, 2, 3, 4});
  private static final Map<String, byte[]> P4 =
      payloads(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {7, 8, 1, 2, 3, 4, 5, 6});

  static Stream<Arguments> vectors() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("header-key-1", List.of("header-value-1"));
    headers.put("header-key-2", List.of("heaer-value-2a", "header-value-2b"));
    headers.put("header-key-3", List.of("heaer-value-3a", "header-value-3b", "header-value-3c"));
    String nameId = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";
    return Stream.of(
        v("HandshakeRequest", "lgEBAKAAgA==", new HandshakeRequest(1)),
        v(
            "HandshakeRequestWithProperty",
            "lgEBAaNhYmMAgA==",
            new HandshakeRequest(1, HandshakeRequest.ON_DEMAND, "abc", 0, null, false)),
        v(
            "HandshakeRequestWithMigratableStatus",
            "lgEBAKABgA==",
            new HandshakeRequest(1, 0, null, 1, null, false)),
        v("HandshakeResponse", "kwKggA==", new HandshakeResponse(null, null, null)),
        v(
            "HandshakeResponseWithError",
            "kwKxVmVyc2lvbiBtaXNtYXRjaC6A",
            new HandshakeResponse("Version mismatch.", null, null)),
        v("Ping", "kQM=", Ping.KEEP_ALIVE),
        v("Ping+", "kwOhYaFi", new Ping(List.of("a", "b"))),
        v("OpenConnection", "lgSlY29ubjGAgKCA", new OpenConnection("conn1", null, null, "", null)),
        v(
            "OpenConnectionWithTracingId",
            "lgSlY29ubjGAgKCBAc0DeA==",
            new OpenConnection("conn1", null, null, "", tracing(888))),
        v(
            "OpenConnectionWithClaims",
            "lgSlY29ubjKB2URodHRwOi8vc2NoZW1hcy54bWxzb2FwLm9yZy93cy8yMDA1LzA1L2lkZW50aXR5L2NsYWltcy9uYW1laWRlbnRpZmllcqV1c2VyMYCggA==",
            new OpenConnection("conn2", List.of(new Claim(nameId, "user1")), null, "", null)),
        v(
            "OpenConnectionWithHeaders",
            "lgSlY29ubjOAg6xoZWFkZXIta2V5LTGRrmhlYWRlci12YWx1ZS0xrGhlYWRlci1rZXktMpKuaGVhZXItdmFsdWUtMmGvaGVhZGVyLXZhbHVlLTJirGhlYWRlci1rZXktM5OuaGVhZXItdmFsdWUtM2GvaGVhZGVyLXZhbHVlLTNir2hlYWRlci12YWx1ZS0zY6CA",
            new OpenConnection("conn3", null, headers, "", null)),
        v(
            "OpenConnectionWithQueryString1",
            "lgSlY29ubjSAgK1xdWVyeTE9dmFsdWUxgA==",
            new OpenConnection("conn4", null, null, "query1=value1", null)),
        v(
            "OpenConnection_WithProtocol",
            "lgSlY29ubjGAgKCBA6Rqc29u",
            new OpenConnection(
                "conn1", null, null, "", Map.of(ServiceMessage.EXT_PROTOCOL, "json"))),
        v("CloseConnection", "lQWlY29ubjOggIA=", new CloseConnection("conn3", null)),
        v(
            "CloseConnectionWithError",
            "lQWlY29ubjSuRXJyb3IgbWVzc2FnZS6AgA==",
            new CloseConnection("conn4", "Error message.")),
        v(
            "CloseConnectionWithTracingId",
            "lQWlY29ubjSggIEBew==",
            new CloseConnection("conn4", null, null, tracing(123))),
        v(
            "ConnectionData",
            "lAalY29ubjXEBwECAwQFBgeA",
            new ConnectionData("conn5", bytes(1, 2, 3, 4, 5, 6, 7))),
        v(
            "ConnectionDataWithTracingId",
            "lAalY29ubjXEBwECAwQFBgeBAc0E0g==",
            new ConnectionData("conn5", bytes(1, 2, 3, 4, 5, 6, 7), tracing(1234))),
        v(
            "MultiConnectionData",
            "lAeSpWNvbm42pWNvbm43gqRqc29uxAcCAwQFBgcBq21lc3NhZ2VwYWNrxAcDBAUGBwECgA==",
            new MultiConnectionData(List.of("conn6", "conn7"), P1, null)),
        v(
            "UserData",
            "lAildXNlcjGCpGpzb27EBwYHAQIDBAWrbWVzc2FnZXBhY2vEBwcBAgMEBQaA",
            new UserData("user1", P2, null)),
        v(
            "MultiUserData",
            "lAmSpXVzZXIxpXVzZXIygqRqc29uxAcGBwECAwQFq21lc3NhZ2VwYWNrxAcHAQIDBAUGgA==",
            new MultiUserData(List.of("user1", "user2"), P2, null)),
        v(
            "Broadcast",
            "lAqQgqRqc29uxAcEBQYHAQIDq21lc3NhZ2VwYWNrxAcFBgcBAgMEgA==",
            new BroadcastData(null, P3, null)),
        v(
            "BroadcastWithTracingId",
            "lAqQgqRqc29uxAcEBQYHAQIDq21lc3NhZ2VwYWNrxAcFBgcBAgMEgQHNBNI=",
            new BroadcastData(null, P3, tracing(1234))),
        v(
            "BroadcastExcept",
            "lAqTpWNvbm43pWNvbm44pWNvbm45gqRqc29uxAcGBwECAwQFq21lc3NhZ2VwYWNrxAcHAQIDBAUGgA==",
            new BroadcastData(List.of("conn7", "conn8", "conn9"), P2, null)),
        v("JoinGroup", "lAumY29ubjEwpmdyb3VwMYA=", new JoinGroup("conn10", "group1", null)),
        v("LeaveGroup", "lAymY29ubjExpmdyb3VwMoA=", new LeaveGroup("conn11", "group2", null)),
        v("UserJoinGroup", "lBCmY29ubjEwpmdyb3VwMYA=", new UserJoinGroup("conn10", "group1", null)),
        v(
            "UserJoinGroupWithTtl",
            "lBCmY29ubjEwpmdyb3VwMYECZA==",
            new UserJoinGroup("conn10", "group1", Map.of(ServiceMessage.EXT_TTL, 100L))),
        v(
            "UserLeaveGroup",
            "lBGmY29ubjExpmdyb3VwMoA=",
            new UserLeaveGroup("conn11", "group2", null)),
        v(
            "GroupBroadcast",
            "lw2mZ3JvdXAzkIKkanNvbsQHBgcBAgMEBattZXNzYWdlcGFja8QHBwECAwQFBoCQwA==",
            new GroupBroadcastData("group3", null, P2, null, null, null)),
        v(
            "GroupBroadcastExcept",
            "lw2mZ3JvdXAzkqZjb25uMTKmY29ubjEzgqRqc29uxAcGBwECAwQFq21lc3NhZ2VwYWNrxAcHAQIDBAUGgJDA",
            new GroupBroadcastData("group3", List.of("conn12", "conn13"), P2, null, null, null)),
        v(
            "GroupBroadcastExceptUser",
            "lw2mZ3JvdXAzkqZjb25uMTKmY29ubjEzgqRqc29uxAcGBwECAwQFq21lc3NhZ2VwYWNrxAcHAQIDBAUGgJKldXNlcjGldXNlcjKldXNlcjM=",
            new GroupBroadcastData(
                "group3",
                List.of("conn12", "conn13"),
                P2,
                null,
                List.of("user1", "user2"),
                "user3")),
        v(
            "GroupBroadcastWithTracingId",
            "lw2mZ3JvdXAzkIKkanNvbsQHBgcBAgMEBattZXNzYWdlcGFja8QHBwECAwQFBoEBzQTSkMA=",
            new GroupBroadcastData("group3", null, P2, tracing(1234), null, null)),
        v(
            "MultiGroupBroadcast",
            "lA6Spmdyb3VwNKZncm91cDWCpGpzb27ECAECAwQFBgcIq21lc3NhZ2VwYWNrxAgHCAECAwQFBoA=",
            new MultiGroupBroadcastData(List.of("group4", "group5"), P4, null)),
        v(
            "ServiceError",
            "kg/ZK01heGltdW0gbWVzc2FnZSBjb3VudCBsaW1pdCByZWFjaGVkOiAxMDAwMDA=",
            new ServiceError("Maximum message count limit reached: 100000")),
        v(
            "JoinGroupWithAck",
            "lRKmY29ubjE0pmdyb3VwMQGA",
            new JoinGroupWithAck("conn14", "group1", 1, null)),
        v(
            "JoinGroupWithAckWithTracingId",
            "lRKmY29ubjE0pmdyb3VwMQGBAc0E0g==",
            new JoinGroupWithAck("conn14", "group1", 1, tracing(1234))),
        v(
            "LeaveGroupWithAck",
            "lROmY29ubjE1pmdyb3VwMgGA",
            new LeaveGroupWithAck("conn15", "group2", 1, null)),
        v("Ack", "lRQBZKCA", new Ack(1, 100, null)),
        v(
            "AckWithMessage",
            "lRQCZblKb2luZWQgZ3JvdXAgc3VjY2Vzc2Z1bGx5gA==",
            new Ack(2, 101, "Joined group successfully")),
        v(
            "ServiceWarningMessage",
            "lhYCo2FiYwK4VXNlciBhYmMgaXMgbm90IGV4aXN0ZWQugA==",
            new ServiceEvent(2, "abc", 2, "User abc is not existed.", null)),
        v(
            "CloseConnectionWithAckMessage",
            "lR6lY29ubjHAAYA=",
            new CloseConnectionWithAck("conn1", null, 1, null)),
        v(
            "CloseConnectionWithAckMessage_WithOptional",
            "lR6lY29ubjGmZGV0YWlsAYEBAQ==",
            new CloseConnectionWithAck("conn1", "detail", 1, tracing(1))),
        v(
            "ClientInvocationMessage",
            "liKsaW52b2NhdGlvbklkpWNvbm4xp3NlcnZlcjGCpGpzb27EBwIDBAUGBwGrbWVzc2FnZXBhY2vEBwMEBQYHAQKA",
            new ClientInvocation("invocationId", "conn1", "server1", P1, null)));
  }

  private static Arguments v(String name, String base64, ServiceMessage message) {
    return Arguments.of(name, base64, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void encodesToTheSdkBytes(String name, String base64, ServiceMessage message) {
    assertThat(Base64.getEncoder().encodeToString(ServiceProtocol.encode(message)))
        .as(name)
        .isEqualTo(base64);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void decodesTheSdkBytes(String name, String base64, ServiceMessage message) {
    ServiceMessage decoded = ServiceProtocol.decode(Base64.getDecoder().decode(base64));
    assertThat(decoded).isNotNull();
    assertThat(decoded.getClass()).isEqualTo(message.getClass());
    assertThat(ServiceProtocol.encode(decoded)).isEqualTo(ServiceProtocol.encode(message));
  }

  @ParameterizedTest(name = "{0} framed")
  @MethodSource("vectors")
  void framesWithAVarintLengthAndSplitsAStream(String name, String base64, ServiceMessage m) {
    byte[] framed = ServiceProtocol.frame(m);
    byte[] body = Base64.getDecoder().decode(base64);
    assertThat(framed[0] & 0xff).isEqualTo(body.length); // every vector is shorter than 128 bytes
    // two messages, delivered one byte at a time
    byte[] two = new byte[framed.length * 2];
    System.arraycopy(framed, 0, two, 0, framed.length);
    System.arraycopy(framed, 0, two, framed.length, framed.length);
    ServiceProtocol.FrameReader reader = new ServiceProtocol.FrameReader(1024);
    List<ServiceMessage> out = new ArrayList<>();
    for (byte b : two) {
      out.addAll(reader.read(ByteBuffer.wrap(new byte[] {b})));
    }
    assertThat(out).hasSize(2);
    assertThat(ServiceProtocol.encode(out.get(1))).isEqualTo(body);
  }

  @Test
  void decodesTheOlderShorterArrays() {
    // TestCompatibilityData of the SDK's tests
    CloseConnection c = (CloseConnection) decode("kwWlY29ubjPA");
    assertThat(c.connectionId()).isEqualTo("conn3");
    assertThat(c.errorMessage()).isNull();
    CloseConnection h = (CloseConnection) decode("lAWlY29ubjSuRXJyb3IgbWVzc2FnZS6Bo2Zvb5GjYmFy");
    assertThat(h.errorMessage()).isEqualTo("Error message.");
    assertThat(h.headers()).containsEntry("foo", List.of("bar"));
    HandshakeRequest r = (HandshakeRequest) decode("lAEBAaNhYmM=");
    assertThat(r.version()).isEqualTo(1);
    assertThat(r.connectionType()).isEqualTo(1);
    assertThat(r.target()).isEqualTo("abc");
    assertThat(((HandshakeRequest) decode("kgEB")).version()).isEqualTo(1);
    OpenConnection o = (OpenConnection) decode("lQSlY29ubjSAgK1xdWVyeTE9dmFsdWUx");
    assertThat(o.connectionId()).isEqualTo("conn4");
    assertThat(o.queryString()).isEqualTo("query1=value1");
    ConnectionData d = (ConnectionData) decode("kwalY29ubjXEBwECAwQFBgc=");
    assertThat(d.payload()).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(((HandshakeResponse) decode("kgKg")).succeeded()).isTrue();
    assertThat(((Ack) decode("lBQCZblKb2luZWQgZ3JvdXAgc3VjY2Vzc2Z1bGx5")).message())
        .isEqualTo("Joined group successfully");
  }

  @Test
  void ignoresExtraItemsAndUnknownTypes() {
    // the SDK's ParseMessageWithExtraData: [4, "id", {}, "ex"] then [4, "id", {}, {}, "?k=v", "ex"]
    OpenConnection o =
        (OpenConnection)
            ServiceProtocol.decode(bytes(0x93, 4, 0xa2, 'i', 'd', 0x80, 0xa2, 'e', 'x'));
    assertThat(o.connectionId()).isEqualTo("id");
    OpenConnection q =
        (OpenConnection)
            ServiceProtocol.decode(
                bytes(
                    0x95, 4, 0xa2, 'i', 'd', 0x80, 0x80, 0xa4, '?', 'k', '=', 'v', 0xa2, 'e', 'x'));
    assertThat(q.queryString()).isEqualTo("?k=v");
    assertThat(ServiceProtocol.decode(bytes(0x92, 99, 0xc0))).isNull();
  }

  @Test
  void refusesGarbageAndOversizedFrames() {
    assertThatThrownBy(() -> ServiceProtocol.decode(bytes(0xc1)))
        .isInstanceOf(IllegalArgumentException.class);
    ServiceProtocol.FrameReader reader = new ServiceProtocol.FrameReader(10);
    assertThatThrownBy(() -> reader.read(ByteBuffer.wrap(bytes(0x80, 0x01))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceeds the limit");
  }

  @Test
  void aLongPayloadGetsAMultiByteLengthPrefix() {
    byte[] payload = new byte[70_000];
    byte[] framed = ServiceProtocol.frame(new ConnectionData("abc", payload));
    List<ServiceMessage> out =
        new ServiceProtocol.FrameReader(1 << 20).read(ByteBuffer.wrap(framed));
    assertThat(((ConnectionData) out.get(0)).payload()).hasSize(70_000);
    assertThat(framed[0] & 0x80).isNotZero();
  }

  private static ServiceMessage decode(String base64) {
    return ServiceProtocol.decode(Base64.getDecoder().decode(base64));
  }
}
