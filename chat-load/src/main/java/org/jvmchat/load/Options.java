package org.jvmchat.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line: {@code <scenario|compare> --name value ...} ({@code --name=value} works too).
 * Every option, its default and its meaning is in {@link #SPECS}: parsing, {@code --help} and the
 * README all come from it. Immutable; {@link #with} makes a changed copy (compare uses it).
 */
public final class Options {
  /** One option; {@code def} null means "none" or "depends on the scenario". */
  public record Spec(String name, String def, String help) {}

  public static final List<Spec> SPECS =
      List.of(
          new Spec(
              "url",
              null,
              "server base URL, e.g. http://127.0.0.1:8080 (scenarios: required); fanout takes"
                  + " several after commas (instances sharing a backplane): the senders and the"
                  + " rooms on the first, the receivers round robin over all"),
          new Spec("kind", "chat", "wire: chat | ceiling | socketio"),
          new Spec(
              "protocol",
              "json",
              "SignalR hub protocol: json | messagepack | mixed (half the connections each)"),
          new Spec("receivers", "1000", "fanout: receiving connections in the room"),
          new Spec("senders", "1", "fanout: sending connections (they join the room too)"),
          new Spec("rate", "max", "fanout: messages/s per sender (fixed rate) or max"),
          new Spec("window", null, "outstanding invocations per sender (fanout 32, echo 1)"),
          new Spec("duration", "10", "measured seconds"),
          new Spec("warmup", "3", "seconds of load before the measured window"),
          new Spec("drain", "10", "seconds to wait at most for the last messages after sending"),
          new Spec("size", "100", "content characters per message"),
          new Spec("connections", "50", "echo: connections, each alone in its own room"),
          new Spec("count", "10000", "connections: connections to open"),
          new Spec("concurrency", "200", "connects in flight while opening connections"),
          new Spec(
              "warmup-count",
              "0",
              "connections: connections of other users opened, joined and closed first"),
          new Spec(
              "settle",
              "7",
              "connections: seconds to wait after each warm-up round closed its connections, so that"
                  + " what a server does after a disconnect (the chat server's 5 s presence grace,"
                  + " then UserOffline) is done before the next connects"),
          new Spec("hold", "10", "connections: seconds to hold them open before reading RSS"),
          new Spec(
              "users", null, "chat: distinct users (tokens) at most (default: one per connection)"),
          new Spec("rooms", "500", "connections: rooms the connections are spread over"),
          new Spec("setup-timeout", "180", "seconds to open all connections at most"),
          new Spec("driver-threads", "1", "driver event loop threads"),
          new Spec(
              "pid",
              null,
              "server process id, for CPU and RSS from /proc; more ids after commas add their"
                  + " process trees' CPU (e.g. the server's database)"),
          new Spec("json", "false", "print only the JSON line (a flag)"),
          new Spec("scenarios", "fanout,echo,connections", "compare: scenarios to run"),
          new Spec("targets", "ceiling,chat,socketio", "compare: servers to start"),
          new Spec(
              "protocols",
              "json,messagepack",
              "compare: hub protocols for fanout and echo on chat and ceiling (connections and"
                  + " socketio: json)"),
          new Spec(
              "redis",
              "off",
              "compare: a Redis URL (redis://host:port[/db]) to also run the chat server on the"
                  + " Redis backplane (columns chat-redis, chat-redis2), or off"),
          new Spec(
              "redis-instances",
              "1,2",
              "compare: chat server instances on Redis: 1 (fanout and echo) and/or 2 (fanout)"),
          new Spec(
              "chat-jar", "chat-server/target/chat-server.jar", "compare: the chat server jar"),
          new Spec(
              "server-jvm-opts",
              "-Xms64m -Xmx2g -XX:+UseG1GC",
              "compare: JVM options of both Java servers"),
          new Spec("node", "node", "compare: the node executable"),
          new Spec(
              "socketio-script",
              "chat-load/src/main/node/socketio-chat-server.mjs",
              "compare: the socket.io server"),
          new Spec(
              "logs", "chat-load/target/compare-logs", "compare: where server stdout/stderr go"));

  private static final Map<String, Spec> BY_NAME = new LinkedHashMap<>();

  static {
    for (Spec s : SPECS) {
      BY_NAME.put(s.name(), s);
    }
  }

  private final String command;
  private final Map<String, String> values;

  private Options(String command, Map<String, String> values) {
    this.command = command;
    this.values = values;
  }

  public static Options parse(String... args) {
    if (args.length == 0) {
      throw new IllegalArgumentException("missing scenario: fanout | echo | connections | compare");
    }
    Map<String, String> v = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!BY_NAME.containsKey(name)) {
        throw new IllegalArgumentException("unknown option --" + name);
      }
      if (value == null) {
        if (name.equals("json")) {
          value = "true";
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
      }
      v.put(name, value);
    }
    return new Options(args[0], v);
  }

  public static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "java -jar chat-load.jar <fanout|echo|connections> --url URL --kind KIND [options]\n");
    sb.append("java -jar chat-load.jar compare [--scenarios ...] [--targets ...] [options]\n");
    sb.append("java -jar chat-load.jar chaos [options]   (fault injection; chaos --help)\n\n");
    for (Spec s : SPECS) {
      sb.append(
          String.format(
              "  --%-16s %-28s %s%n", s.name(), s.def() == null ? "" : s.def(), s.help()));
    }
    return sb.toString();
  }

  public String command() {
    return command;
  }

  public Options with(String name, String value) {
    Map<String, String> v = new LinkedHashMap<>(values);
    if (value == null) {
      v.remove(name);
    } else {
      v.put(name, value);
    }
    return new Options(command, v);
  }

  public Options withCommand(String c) {
    return new Options(c, values);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The value, else the default, else null. */
  public String get(String name) {
    Spec s = BY_NAME.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no option " + name);
    }
    return values.getOrDefault(name, s.def());
  }

  public String required(String name) {
    String v = get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  public int integer(String name) {
    return integer(name, 0);
  }

  public int integer(String name, int fallback) {
    String v = get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + v + "'");
    }
  }

  public double seconds(String name) {
    try {
      return Double.parseDouble(get(name).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number of seconds");
    }
  }

  /** Messages/s per sender; 0 for {@code max}. */
  public double rate() {
    String v = get("rate").trim();
    if (v.equalsIgnoreCase("max")) {
      return 0;
    }
    double r = Double.parseDouble(v);
    if (r <= 0) {
      throw new IllegalArgumentException("--rate must be positive or max");
    }
    return r;
  }

  public Kind kind() {
    return Kind.parse(get("kind"));
  }

  public Protocol protocol() {
    return Protocol.parse(get("protocol"));
  }

  public boolean json() {
    return Boolean.parseBoolean(get("json"));
  }

  /** The server's process id (the first of {@code --pid}), or null. */
  public Long pid() {
    List<Long> pids = cpuPids();
    return pids.isEmpty() ? null : pids.get(0);
  }

  /** Every id of {@code --pid}: the server first, then processes whose CPU counts as its own. */
  public List<Long> cpuPids() {
    return get("pid") == null ? List.of() : list("pid").stream().map(Long::parseLong).toList();
  }

  public List<String> list(String name) {
    List<String> out = new ArrayList<>();
    for (String s : get(name).split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /** The options given, as they would be typed (for the result line). */
  public Map<String, String> given() {
    return new LinkedHashMap<>(values);
  }
}
