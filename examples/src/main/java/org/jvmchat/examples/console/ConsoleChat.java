package org.jvmchat.examples.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jvmchat.client.HubConnection;
import org.jvmchat.client.HubConnectionBuilder;
import org.jvmchat.protocol.HubException;
import org.jvmchat.protocol.negotiate.HttpTransportType;

/**
 * A line-oriented chat client for the reference chat server: reads commands and messages from
 * standard input, prints what happens in the rooms to standard output. It takes a Development token
 * from {@code POST /api/v1/auth/dev-token}, uses the REST API for rooms and history and the hub
 * {@code /hubs/chat} (chat-client-java) for everything live.
 *
 * <pre>
 * java -cp examples/target/feature-tour.jar org.jvmchat.examples.console.ConsoleChat \
 *     --url http://localhost:8080 --user alice [--name Alice] [--transport WebSockets]
 * </pre>
 */
public final class ConsoleChat {
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern ROOM_ID = Pattern.compile("[0-9a-fA-F-]{32,36}");
  private static final String HELP =
      String.join(
          System.lineSeparator(),
          "Commands:",
          "  /rooms           list the rooms you can see",
          "  /join <room>     join a room (name or id) and make it the current one",
          "  /create <name>   create a public room and join it",
          "  /leave           leave the current room",
          "  /history         the last 20 messages of the current room",
          "  /help            this text",
          "  /quit            leave the chat",
          "Any other line is sent to the current room.");

  private final String baseUrl;
  private final String userId;
  private final String name;
  private final HttpTransportType transport;
  private final BufferedReader in;
  private final PrintStream out;
  private final HttpClient http;
  private final Map<String, String> roomNames = new ConcurrentHashMap<>();
  private volatile String token;
  private volatile String currentRoom;
  private HubConnection hub;

  public ConsoleChat(
      String baseUrl,
      String userId,
      String name,
      HttpTransportType transport,
      BufferedReader in,
      PrintStream out) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.userId = userId;
    this.name = name;
    this.transport = transport;
    this.in = in;
    this.out = out;
    this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  public static void main(String[] args) {
    String url = "http://localhost:8080";
    String user = null;
    String name = null;
    HttpTransportType transport = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--url" -> url = require(args[i], value);
        case "--user" -> user = require(args[i], value);
        case "--name" -> name = require(args[i], value);
        case "--transport" -> {
          try {
            transport = HttpTransportType.valueOf(require(args[i], value));
          } catch (IllegalArgumentException e) {
            usage("--transport must be WebSockets, ServerSentEvents or LongPolling");
          }
        }
        default -> usage("unknown argument " + args[i]);
      }
      i++;
    }
    if (user == null || user.isBlank()) {
      usage("--user is required");
    }
    if (name == null) {
      name = Character.toUpperCase(user.charAt(0)) + user.substring(1);
    }
    BufferedReader stdin =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.exit(new ConsoleChat(url, user, name, transport, stdin, stdout).run());
  }

  private static String require(String flag, String value) {
    if (value == null) {
      usage(flag + " needs a value");
    }
    return value;
  }

  private static void usage(String problem) {
    System.err.println("ConsoleChat: " + problem);
    System.err.println(
        "usage: ConsoleChat --user <id> [--name <display name>] [--url http://localhost:8080]"
            + " [--transport WebSockets|ServerSentEvents|LongPolling]");
    System.exit(2);
  }

  /** Runs until {@code /quit} or the end of input; returns the process exit code. */
  public int run() {
    try {
      token = devToken();
    } catch (ChatFailure e) {
      print("! " + e.getMessage());
      return 1;
    }
    HubConnectionBuilder builder =
        HubConnectionBuilder.create(baseUrl + "/hubs/chat")
            .accessTokenProvider(() -> token)
            .withAutomaticReconnect();
    if (transport != null) {
      builder.transports(transport);
    }
    hub = builder.build();
    hub.on("ReceiveMessage", JsonNode.class, this::onMessage);
    hub.on("UserJoined", JsonNode.class, e -> onUserEvent(e, "joined"));
    hub.on("UserLeft", JsonNode.class, e -> onUserEvent(e, "left"));
    hub.on("UserTyping", JsonNode.class, e -> onUserEvent(e, "is typing in"));
    hub.onReconnecting(e -> print("* connection lost, reconnecting..."));
    hub.onReconnected(id -> print("* reconnected"));
    hub.onClose(
        e -> {
          if (e != null) {
            print("* disconnected: " + e.getMessage());
          }
        });
    try {
      await(hub.start());
      print(
          "* connected to " + baseUrl + " as " + name + " (" + userId + "). /help lists commands.");
      listRooms();
      String line;
      while ((line = in.readLine()) != null) {
        if (!handle(line.strip())) {
          break;
        }
      }
      return 0;
    } catch (ChatFailure e) {
      print("! " + e.getMessage());
      return 1;
    } catch (IOException e) {
      print("! cannot read input: " + e.getMessage());
      return 1;
    } finally {
      hub.close();
      print("* bye");
    }
  }

  /** Handles one input line; false ends the session. */
  private boolean handle(String line) {
    if (line.isEmpty()) {
      return true;
    }
    String command = line;
    String argument = "";
    if (line.startsWith("/")) {
      int space = line.indexOf(' ');
      if (space > 0) {
        command = line.substring(0, space);
        argument = line.substring(space + 1).strip();
      }
    }
    try {
      switch (command.toLowerCase(Locale.ROOT)) {
        case "/quit", "/exit" -> {
          return false;
        }
        case "/help" -> print(HELP);
        case "/rooms" -> listRooms();
        case "/join" -> join(argument);
        case "/create" -> create(argument);
        case "/leave" -> leave();
        case "/history" -> history();
        default -> {
          if (line.startsWith("/") && !line.startsWith("//")) {
            print("! unknown command " + command + "; /help lists commands");
          } else {
            send(line.startsWith("//") ? line.substring(1) : line);
          }
        }
      }
    } catch (ChatFailure e) {
      print("! " + e.getMessage());
    }
    return true;
  }

  private void listRooms() {
    JsonNode rooms = api("GET", "/api/v1/rooms", null);
    if (rooms.isEmpty()) {
      print("* no rooms yet; /create <name> makes one");
      return;
    }
    StringBuilder b = new StringBuilder("* rooms:");
    for (JsonNode room : rooms) {
      remember(room);
      b.append(System.lineSeparator())
          .append("    ")
          .append(room.path("name").asText())
          .append(room.path("isPrivate").asBoolean() ? " (private)" : "")
          .append("  [")
          .append(room.path("id").asText())
          .append(']');
    }
    print(b.toString());
  }

  private void join(String room) {
    if (room.isEmpty()) {
      throw new ChatFailure("usage: /join <room name or id>");
    }
    String id = resolve(room);
    JsonNode joined = await(hub.invoke(JsonNode.class, "JoinRoom", id));
    remember(joined);
    currentRoom = joined.path("id").asText();
    print("* joined " + joined.path("name").asText() + "; typing a line sends it there");
  }

  private void create(String roomName) {
    if (roomName.isEmpty()) {
      throw new ChatFailure("usage: /create <name>");
    }
    ObjectNode body = MAPPER.createObjectNode().put("name", roomName).put("isPrivate", false);
    JsonNode room = api("POST", "/api/v1/rooms", body);
    remember(room);
    print("* created " + room.path("name").asText());
    join(room.path("id").asText());
  }

  private void leave() {
    String room = requireRoom();
    await(hub.invoke(Object.class, "LeaveRoom", room));
    print("* left " + roomName(room));
    currentRoom = null;
  }

  private void history() {
    String room = requireRoom();
    JsonNode page = api("GET", "/api/v1/rooms/" + encode(room) + "/messages?limit=20", null);
    JsonNode items = page.path("items");
    if (items.isEmpty()) {
      print("* no messages in " + roomName(room) + " yet");
      return;
    }
    print("* last " + items.size() + " messages of " + roomName(room) + ":");
    for (JsonNode m : items) {
      print("  " + m.path("createdAt").asText() + " " + formatMessage(m));
    }
  }

  private void send(String content) {
    await(hub.invoke(JsonNode.class, "SendMessage", requireRoom(), content));
  }

  private String requireRoom() {
    String room = currentRoom;
    if (room == null) {
      throw new ChatFailure("join a room first: /join <room>");
    }
    return room;
  }

  /** A room's id from its name (case-insensitive) or id, using the server's current list. */
  private String resolve(String room) {
    if (roomNames.containsKey(room)) {
      return room;
    }
    for (JsonNode r : api("GET", "/api/v1/rooms", null)) {
      remember(r);
      if (r.path("name").asText().equalsIgnoreCase(room) || r.path("id").asText().equals(room)) {
        return r.path("id").asText();
      }
    }
    if (ROOM_ID.matcher(room).matches()) {
      return room; // maybe a private room not listed for us: the server says whether we may join
    }
    throw new ChatFailure("no room named '" + room + "'; /rooms lists them, /create makes one");
  }

  private void remember(JsonNode room) {
    if (room.hasNonNull("id") && room.hasNonNull("name")) {
      roomNames.put(room.get("id").asText(), room.get("name").asText());
    }
  }

  private String roomName(String roomId) {
    return roomNames.getOrDefault(roomId, roomId);
  }

  private void onMessage(JsonNode message) {
    print(formatMessage(message));
  }

  private String formatMessage(JsonNode m) {
    String sender = m.path("senderName").asText(m.path("senderId").asText());
    String kind = m.path("kind").asText("user");
    String who = "system".equals(kind) ? "*" : sender + ":";
    return "["
        + roomName(m.path("roomId").asText())
        + "] "
        + who
        + " "
        + m.path("content").asText();
  }

  private void onUserEvent(JsonNode event, String what) {
    String who = event.path("userName").asText(event.path("userId").asText());
    print("* " + who + " " + what + " " + roomName(event.path("roomId").asText()));
  }

  private void print(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  private String devToken() {
    ObjectNode body = MAPPER.createObjectNode().put("userId", userId).put("name", name);
    HttpResponse<String> r = request("POST", "/api/v1/auth/dev-token", body, false);
    if (r.statusCode() == 404) {
      throw new ChatFailure(
          "the server at " + baseUrl + " gives no development tokens (is it in Production?)");
    }
    return parse(r).path("accessToken").asText();
  }

  private JsonNode api(String method, String path, JsonNode body) {
    return parse(request(method, path, body, true));
  }

  private HttpResponse<String> request(String method, String path, JsonNode body, boolean auth) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT);
    if (auth) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ChatFailure("cannot reach " + baseUrl + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatFailure("interrupted");
    }
  }

  /** The body as JSON; a non-2xx answer becomes a ChatFailure with the problem's detail. */
  private static JsonNode parse(HttpResponse<String> r) {
    JsonNode json;
    try {
      json = r.body().isEmpty() ? MAPPER.createObjectNode() : MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new ChatFailure("the server answered " + r.statusCode() + " with something not JSON");
    }
    if (r.statusCode() / 100 != 2) {
      String detail = json.path("detail").asText(json.path("title").asText(r.body()));
      throw new ChatFailure(detail + " (HTTP " + r.statusCode() + ")");
    }
    return json;
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof HubException) {
        throw new ChatFailure(cause.getMessage());
      }
      throw new ChatFailure(String.valueOf(cause.getMessage()));
    } catch (TimeoutException e) {
      throw new ChatFailure("no answer from the server within " + TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatFailure("interrupted");
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A failure to show the user as one line; the session goes on. */
  static final class ChatFailure extends RuntimeException {
    ChatFailure(String message) {
      super(message);
    }
  }
}
