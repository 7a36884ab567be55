package org.jvmchat.azure.signalr.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages of Azure SignalR Service's service protocol ({@code specs/ServiceProtocol.md} of
 * Azure/azure-signalr): what an app server and the service exchange over a server connection. Each
 * is one MessagePack array whose first item is the type number ({@link #type()}).
 *
 * <p>{@code ext} is the message's "extension members" map (integer keys: 1 tracing id, 2 ttl, 3
 * protocol), kept in order so a message decodes and encodes to the same bytes. Payload maps ({@code
 * payloads}) go from a hub protocol's name ({@code json}, {@code messagepack}) to that protocol's
 * bytes of the message, so the service hands each client the bytes of its own protocol.
 */
public sealed interface ServiceMessage {
  /** The message's type number, the first item of its array. */
  int type();

  /** Extension-member keys. */
  int EXT_TRACING_ID = 1;

  int EXT_TTL = 2;
  int EXT_PROTOCOL = 3;

  static Map<Integer, Object> noExt() {
    return Map.of();
  }

  private static Map<Integer, Object> copyExt(Map<Integer, Object> ext) {
    return ext == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ext));
  }

  private static Map<String, byte[]> copyPayloads(Map<String, byte[]> p) {
    return p == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(p));
  }

  private static List<String> copyList(List<String> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  /** Type 1, server to service: asks for a protocol version. */
  record HandshakeRequest(
      int version,
      int connectionType,
      String target,
      int migrationLevel,
      Map<Integer, Object> ext,
      boolean allowStatefulReconnects)
      implements ServiceMessage {
    /** Connection types. */
    public static final int DEFAULT = 0;

    public static final int ON_DEMAND = 1;
    public static final int WEAK = 2;

    public HandshakeRequest {
      ext = copyExt(ext);
    }

    public HandshakeRequest(int version) {
      this(version, DEFAULT, null, 0, null, false);
    }

    @Override
    public int type() {
      return 1;
    }
  }

  /** Type 2, service to server: {@code errorMessage} empty or null on success. */
  record HandshakeResponse(String errorMessage, Map<Integer, Object> ext, String connectionId)
      implements ServiceMessage {
    public HandshakeResponse {
      ext = copyExt(ext);
    }

    public boolean succeeded() {
      return errorMessage == null || errorMessage.isEmpty();
    }

    @Override
    public int type() {
      return 2;
    }
  }

  /**
   * Type 3, both ways: a keep-alive with no items, or key/value pairs flattened into the array
   * ({@code offline}, {@code fin:0}; {@code status}; {@code target}, {@code <instance>}; ...).
   */
  record Ping(List<String> messages) implements ServiceMessage {
    public static final Ping KEEP_ALIVE = new Ping(List.of());

    public Ping {
      messages =
          messages == null
              ? List.of()
              : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(messages));
    }

    /** The value of {@code key} when this ping is a key/value ping with that key, else null. */
    public String value(String key) {
      for (int i = 0; i + 1 < messages.size(); i += 2) {
        if (key.equals(messages.get(i))) {
          return messages.get(i + 1);
        }
      }
      return null;
    }

    @Override
    public int type() {
      return 3;
    }
  }

  /** One claim of a client's access token, in the order the service sends them. */
  record Claim(String type, String value) {}

  /** Type 4, service to server: a client connected. */
  record OpenConnection(
      String connectionId,
      List<Claim> claims,
      Map<String, List<String>> headers,
      String queryString,
      Map<Integer, Object> ext)
      implements ServiceMessage {
    public OpenConnection {
      claims = claims == null ? List.of() : List.copyOf(claims);
      headers =
          headers == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      ext = copyExt(ext);
    }

    /** The client's hub protocol when the service names it (extension member 3), else null. */
    public String protocol() {
      Object p = ext.get(EXT_PROTOCOL);
      return p instanceof String s ? s : null;
    }

    @Override
    public int type() {
      return 4;
    }
  }

  /** Type 5, both ways: a client connection ends. */
  record CloseConnection(
      String connectionId,
      String errorMessage,
      Map<String, List<String>> headers,
      Map<Integer, Object> ext)
      implements ServiceMessage {
    public CloseConnection {
      headers =
          headers == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      ext = copyExt(ext);
    }

    public CloseConnection(String connectionId, String errorMessage) {
      this(connectionId, errorMessage, null, null);
    }

    @Override
    public int type() {
      return 5;
    }
  }

  /** Type 6, both ways: raw bytes from or to one client. */
  record ConnectionData(String connectionId, byte[] payload, Map<Integer, Object> ext)
      implements ServiceMessage {
    public ConnectionData {
      ext = copyExt(ext);
    }

    public ConnectionData(String connectionId, byte[] payload) {
      this(connectionId, payload, null);
    }

    @Override
    public int type() {
      return 6;
    }
  }

  /** Type 7: to several connections. */
  record MultiConnectionData(
      List<String> connectionIds, Map<String, byte[]> payloads, Map<Integer, Object> ext)
      implements ServiceMessage {
    public MultiConnectionData {
      connectionIds = copyList(connectionIds);
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 7;
    }
  }

  /** Type 8: to every connection of a user. */
  record UserData(String userId, Map<String, byte[]> payloads, Map<Integer, Object> ext)
      implements ServiceMessage {
    public UserData {
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 8;
    }
  }

  /** Type 9: to every connection of several users. */
  record MultiUserData(List<String> userIds, Map<String, byte[]> payloads, Map<Integer, Object> ext)
      implements ServiceMessage {
    public MultiUserData {
      userIds = copyList(userIds);
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 9;
    }
  }

  /** Type 10: to every connection of the hub but the excluded ones. */
  record BroadcastData(
      List<String> excluded, Map<String, byte[]> payloads, Map<Integer, Object> ext)
      implements ServiceMessage {
    public BroadcastData {
      excluded = copyList(excluded);
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 10;
    }
  }

  /** Type 11: adds a connection to a group (no answer). */
  record JoinGroup(String connectionId, String group, Map<Integer, Object> ext)
      implements ServiceMessage {
    public JoinGroup {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 11;
    }
  }

  /** Type 12: removes a connection from a group (no answer). */
  record LeaveGroup(String connectionId, String group, Map<Integer, Object> ext)
      implements ServiceMessage {
    public LeaveGroup {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 12;
    }
  }

  /** Type 13: to a group's connections but the excluded connections and users. */
  record GroupBroadcastData(
      String group,
      List<String> excluded,
      Map<String, byte[]> payloads,
      Map<Integer, Object> ext,
      List<String> excludedUsers,
      String callerUserId)
      implements ServiceMessage {
    public GroupBroadcastData {
      excluded = copyList(excluded);
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
      excludedUsers = copyList(excludedUsers);
    }

    @Override
    public int type() {
      return 13;
    }
  }

  /** Type 14: to the connections of several groups. */
  record MultiGroupBroadcastData(
      List<String> groups, Map<String, byte[]> payloads, Map<Integer, Object> ext)
      implements ServiceMessage {
    public MultiGroupBroadcastData {
      groups = copyList(groups);
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 14;
    }
  }

  /** Type 15, service to server: the server connection cannot be used to send any more. */
  record ServiceError(String errorMessage) implements ServiceMessage {
    @Override
    public int type() {
      return 15;
    }
  }

  /** Type 16: adds every connection of a user to a group. */
  record UserJoinGroup(String userId, String group, Map<Integer, Object> ext)
      implements ServiceMessage {
    public UserJoinGroup {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 16;
    }
  }

  /** Type 17: removes a user from a group. */
  record UserLeaveGroup(String userId, String group, Map<Integer, Object> ext)
      implements ServiceMessage {
    public UserLeaveGroup {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 17;
    }
  }

  /** Type 18: adds a connection to a group; the service answers with an {@link Ack}. */
  record JoinGroupWithAck(String connectionId, String group, int ackId, Map<Integer, Object> ext)
      implements ServiceMessage {
    public JoinGroupWithAck {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 18;
    }
  }

  /** Type 19: removes a connection from a group; the service answers with an {@link Ack}. */
  record LeaveGroupWithAck(String connectionId, String group, int ackId, Map<Integer, Object> ext)
      implements ServiceMessage {
    public LeaveGroupWithAck {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 19;
    }
  }

  /** Type 20, service to server: the outcome of a ...WithAck message. */
  record Ack(int ackId, int status, String message, Map<Integer, Object> ext, byte[] payload)
      implements ServiceMessage {
    /** Statuses. */
    public static final int OK = 1;

    public static final int NOT_FOUND = 2;
    public static final int TIMEOUT = 3;

    public Ack {
      ext = copyExt(ext);
    }

    public Ack(int ackId, int status, String message) {
      this(ackId, status, message, null, null);
    }

    @Override
    public int type() {
      return 20;
    }
  }

  /** Type 22, service to server: a warning or event about an object the server named. */
  record ServiceEvent(int objectType, String id, int kind, String message, Map<Integer, Object> ext)
      implements ServiceMessage {
    public ServiceEvent {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 22;
    }
  }

  /** Type 30: closes one client connection; the service answers with an {@link Ack}. */
  record CloseConnectionWithAck(
      String connectionId, String reason, int ackId, Map<Integer, Object> ext)
      implements ServiceMessage {
    public CloseConnectionWithAck {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 30;
    }
  }

  /** Type 34: a server invokes a client and awaits its result (client results). */
  record ClientInvocation(
      String invocationId,
      String connectionId,
      String callerServerId,
      Map<String, byte[]> payloads,
      Map<Integer, Object> ext)
      implements ServiceMessage {
    public ClientInvocation {
      payloads = copyPayloads(payloads);
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 34;
    }
  }

  /** Type 35: a client's successful result, in the client's protocol, for the calling server. */
  record ClientCompletion(
      String invocationId,
      String connectionId,
      String callerServerId,
      String protocol,
      byte[] payload,
      Map<Integer, Object> ext)
      implements ServiceMessage {
    public ClientCompletion {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 35;
    }
  }

  /** Type 36: a client invocation failed (the client dropped, a timeout, an error result). */
  record ErrorCompletion(
      String invocationId,
      String connectionId,
      String callerServerId,
      String error,
      Map<Integer, Object> ext)
      implements ServiceMessage {
    public ErrorCompletion {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 36;
    }
  }

  /** Type 37, service to server: which service instance holds an invoked connection. */
  record ServiceMapping(
      String invocationId, String connectionId, String instanceId, Map<Integer, Object> ext)
      implements ServiceMessage {
    public ServiceMapping {
      ext = copyExt(ext);
    }

    @Override
    public int type() {
      return 37;
    }
  }
}
