package org.jvmchat.load.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The account of a chaos run: every send, every delivery and every stored message, per fault window
 * and in total.
 *
 * <ul>
 *   <li>A send belongs to the window in which it was sent; a stored message, its deliveries and
 *       misses to the window of its {@code createdAt}, or to the next window when that began less
 *       than {@link #IN_FLIGHT_MS} later (the message was still on its way when the fault began); a
 *       reconnect to the window in which the connection was lost; duplicates, out-of-order arrivals
 *       and errors to the window in which the client saw them.
 *   <li>A client is a <em>member</em> of its room from its first completed {@code JoinRoom} to the
 *       end: every message stored in the room after that must reach it, live or by recovery.
 *   <li>A delivery is <em>live-expected</em> when the client's connection, from the client's view,
 *       was in the room when the message was stored and was still heard from (another {@code
 *       ReceiveMessage} arrived on it) {@link #SETTLE_MS} or more later, or lasted to the end of
 *       the run: the client stayed connected across the message. A live-expected delivery that
 *       never arrived is a <em>live miss</em>.
 * </ul>
 */
final class Report {
  static final long SETTLE_MS = 2000;

  /** A message stored this long before a fault began was still on its way when it began. */
  static final long IN_FLIGHT_MS = 500;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A report window: steady traffic or one fault and the recovery after it. */
  static final class Window {
    final String name;
    String detail;
    final long from;
    long to;
    long actionEnded;
    boolean injected = true;

    Window(String name, String detail, long from) {
      this.name = name;
      this.detail = detail;
      this.from = from;
    }
  }

  /** A message as the room's history holds it. */
  record Stored(String id, long seq, String content, long createdAt) {}

  /** The counts of one window (or of all). */
  static final class Figures {
    long sent;
    long acked;
    long unacked;
    long unackedButStored;
    long ackedNotStored;
    long stored;
    long expectedDeliveries;
    long missAfterRecovery;
    long liveExpected;
    long liveMiss;
    long duplicates;
    long outOfOrder;
    long userErrors;
    final List<Long> reconnectMs = new ArrayList<>();
    final List<Long> latencyMs = new ArrayList<>();

    void add(Figures f) {
      sent += f.sent;
      acked += f.acked;
      unacked += f.unacked;
      unackedButStored += f.unackedButStored;
      ackedNotStored += f.ackedNotStored;
      stored += f.stored;
      expectedDeliveries += f.expectedDeliveries;
      missAfterRecovery += f.missAfterRecovery;
      liveExpected += f.liveExpected;
      liveMiss += f.liveMiss;
      duplicates += f.duplicates;
      outOfOrder += f.outOfOrder;
      userErrors += f.userErrors;
      reconnectMs.addAll(f.reconnectMs);
      latencyMs.addAll(f.latencyMs);
    }
  }

  private final ChaosOptions o;
  private final String runId;
  private final List<Window> windows;
  private final List<Figures> perWindow = new ArrayList<>();
  private final Figures total = new Figures();
  private final long historyGaps;
  private final long skippedDisconnected;
  private final long skippedBacklog;
  private final Map<String, Integer> errorKinds = new LinkedHashMap<>();
  private final List<Instance> instances;
  private final List<Long> rssBefore;
  private final List<Long> rssAfter;
  private final Long slowBytes;
  private final Map<String, Integer> mix = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();

  /** One line per live miss, unacknowledged-but-stored send and miss after recovery. */
  final List<String> details = new ArrayList<>();

  Report(
      ChaosOptions o,
      String runId,
      List<Window> windows,
      List<ChaosClient> clients,
      Map<String, List<Stored>> history,
      Map<Integer, Set<String>> recovered,
      List<Instance> instances,
      List<Long> rssBefore,
      List<Long> rssAfter,
      Faults faults,
      Long slowBytes) {
    this.o = o;
    this.runId = runId;
    this.windows = windows;
    this.instances = instances;
    this.rssBefore = rssBefore;
    this.rssAfter = rssAfter;
    this.slowBytes = slowBytes;
    for (int i = 0; i < windows.size(); i++) {
      perWindow.add(new Figures());
    }
    long end = windows.get(windows.size() - 1).to;
    long t0 = windows.get(0).from;

    long gaps = 0;
    Map<String, Set<String>> storedIds = new HashMap<>();
    Map<String, Set<String>> storedContent = new HashMap<>();
    for (Map.Entry<String, List<Stored>> e : history.entrySet()) {
      Set<String> ids = new HashSet<>();
      Set<String> contents = new HashSet<>();
      long expect = 1;
      for (Stored s : e.getValue()) {
        ids.add(s.id());
        contents.add(s.content());
        if (s.seq() != expect) {
          gaps += Math.abs(s.seq() - expect);
        }
        expect = s.seq() + 1;
        perWindow.get(messageWindow(s.createdAt())).stored++;
      }
      storedIds.put(e.getKey(), ids);
      storedContent.put(e.getKey(), contents);
    }
    historyGaps = gaps;

    long skippedD = 0;
    long skippedB = 0;
    for (ChaosClient c : clients) {
      mix.merge(c.kind.label(), 1, Integer::sum);
      skippedD += c.skippedDisconnected.get();
      skippedB += c.skippedBacklog.get();
      Set<String> ids = storedIds.get(c.roomId);
      Set<String> contents = storedContent.get(c.roomId);
      synchronized (c.sends) {
        for (ChaosClient.Send s : c.sends) {
          Figures f = perWindow.get(windowOf(s.sentAt));
          f.sent++;
          if (s.ackedAt > 0) {
            f.acked++;
            if (!ids.contains(s.messageId)) {
              f.ackedNotStored++;
            }
          } else {
            f.unacked++;
            if (contents.contains(s.content)) {
              f.unackedButStored++;
              details.add(
                  String.format(
                      "unacked-but-stored client %d (%s) sent t+%.3f s: %s",
                      c.index, c.kind.label(), (s.sentAt - t0) / 1e3, s.error));
            }
          }
        }
      }
      List<ChaosClient.Interval> intervals;
      synchronized (c.intervals) {
        intervals = new ArrayList<>(c.intervals);
      }
      long firstJoin = intervals.isEmpty() ? Long.MAX_VALUE : intervals.get(0).from;
      Set<String> rec = recovered.getOrDefault(c.index, Set.of());
      for (Stored m : history.get(c.roomId)) {
        if (m.createdAt() < firstJoin) {
          continue;
        }
        Figures f = perWindow.get(messageWindow(m.createdAt()));
        f.expectedDeliveries++;
        boolean live = c.received.containsKey(m.id());
        if (!live && !rec.contains(m.id())) {
          f.missAfterRecovery++;
          details.add(
              String.format(
                  "miss-after-recovery client %d (%s) seq %d created t+%.3f s",
                  c.index, c.kind.label(), m.seq(), (m.createdAt() - t0) / 1e3));
        }
        if (liveExpected(intervals, m.createdAt(), end)) {
          f.liveExpected++;
          if (!live) {
            f.liveMiss++;
            String iv = intervalsText(intervals, t0);
            details.add(
                String.format(
                    "live-miss client %d (%s) room %s seq %d created t+%.3f s (%s) by %s; intervals%s",
                    c.index,
                    c.kind.label(),
                    c.roomId,
                    m.seq(),
                    (m.createdAt() - t0) / 1e3,
                    windows.get(messageWindow(m.createdAt())).name,
                    m.content().replaceAll(" #.*$", ""),
                    iv));
          }
        }
      }
      synchronized (c.duplicates) {
        for (long[] d : c.duplicates) {
          perWindow.get(windowOf(d[0])).duplicates++;
          details.add(
              String.format(
                  "duplicate client %d (%s) seq %d at t+%.3f s, first copy at t+%.3f s; intervals%s",
                  c.index,
                  c.kind.label(),
                  d[1],
                  (d[0] - t0) / 1e3,
                  (d[2] - t0) / 1e3,
                  intervalsText(intervals, t0)));
        }
      }
      synchronized (c.outOfOrder) {
        for (long t : c.outOfOrder) {
          perWindow.get(windowOf(t)).outOfOrder++;
        }
      }
      synchronized (c.reconnects) {
        for (long[] r : c.reconnects) {
          perWindow.get(windowOf(r[0])).reconnectMs.add(r[1] - r[0]);
        }
      }
      synchronized (c.errors) {
        for (ChaosClient.UserError e : c.errors) {
          perWindow.get(windowOf(e.at())).userErrors++;
          errorKinds.merge(
              e.what().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>"), 1, Integer::sum);
        }
      }
      synchronized (c.latencies) {
        for (long[] l : c.latencies) {
          perWindow.get(windowOf(l[0])).latencyMs.add(l[1]);
        }
      }
    }
    skippedDisconnected = skippedD;
    skippedBacklog = skippedB;
    for (Figures f : perWindow) {
      total.add(f);
    }

    // the verdict
    if (total.acked == 0) {
      failures.add("no message was acknowledged");
    }
    if (total.ackedNotStored > 0) {
      failures.add(total.ackedNotStored + " acknowledged messages are not stored");
    }
    if (total.missAfterRecovery > 0) {
      failures.add(
          total.missAfterRecovery + " stored messages never reached a member, even after recovery");
    }
    if (historyGaps > 0) {
      failures.add(historyGaps + " seq numbers missing or repeated in the rooms' history");
    }
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      Figures f = perWindow.get(i);
      if (!w.injected) {
        failures.add("fault " + w.name + " was not injected: " + w.detail);
      }
      boolean tolerated = !o.strict && o.expectedLoss.contains(w.name);
      if (!tolerated && f.liveMiss > 0) {
        failures.add(
            w.name
                + ": "
                + f.liveMiss
                + " live deliveries missed by clients that stayed connected");
      }
      if (!tolerated && f.duplicates > 0) {
        failures.add(w.name + ": " + f.duplicates + " duplicates shown to users");
      }
    }
    for (String fault : o.faults) {
      if (windows.stream().noneMatch(w -> w.name.equals(fault) && w.injected)) {
        if (failures.stream().noneMatch(s -> s.startsWith("fault " + fault + " "))) {
          failures.add("fault " + fault + " was not injected");
        }
      }
    }
  }

  private int windowOf(long t) {
    int w = 0;
    for (int i = 0; i < windows.size(); i++) {
      if (windows.get(i).from <= t) {
        w = i;
      }
    }
    return w;
  }

  private static String intervalsText(List<ChaosClient.Interval> intervals, long t0) {
    StringBuilder iv = new StringBuilder();
    for (ChaosClient.Interval in : intervals) {
      iv.append(
          String.format(
              " [%.3f..%.3f heard %.3f]",
              (in.from - t0) / 1e3, (in.to - t0) / 1e3, (in.lastHeard - t0) / 1e3));
    }
    return iv.toString();
  }

  /** The window of a message stored at {@code createdAt} (see the class comment). */
  private int messageWindow(long createdAt) {
    return windowOf(createdAt + IN_FLIGHT_MS);
  }

  private static boolean liveExpected(List<ChaosClient.Interval> intervals, long at, long end) {
    for (ChaosClient.Interval in : intervals) {
      if (in.from <= at && (in.to == 0 || in.to >= end || in.lastHeard >= at + SETTLE_MS)) {
        if (in.to == 0 || in.to > at) {
          return true;
        }
      }
    }
    return false;
  }

  boolean failed() {
    return !failures.isEmpty();
  }

  List<String> failures() {
    return failures;
  }

  Figures total() {
    return total;
  }

  List<Window> windows() {
    return windows;
  }

  Figures figures(int window) {
    return perWindow.get(window);
  }

  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> s = new ArrayList<>(values);
    s.sort(null);
    int i = (int) Math.ceil(p * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  String toTable() {
    StringBuilder b = new StringBuilder();
    long start = windows.get(0).from;
    String head =
        String.format(
            "%-9s %7s %6s %6s %6s %7s %6s %7s %8s %9s %7s %5s %5s %6s %13s %6s %8s%n",
            "window",
            "from",
            "sent",
            "acked",
            "unack",
            "(stored)",
            "ack!st",
            "stored",
            "expected",
            "miss-rec",
            "live-ex",
            "live",
            "dup",
            "order",
            "reconn p50/99",
            "errors",
            "lat p99");
    b.append("\n").append(head);
    for (int i = 0; i < windows.size(); i++) {
      row(
          b,
          windows.get(i).name + (windows.get(i).injected ? "" : "!"),
          String.format("%.0fs", (windows.get(i).from - start) / 1e3),
          perWindow.get(i));
    }
    row(b, "total", "", total);
    b.append(
        "columns: sent = SendMessage invoked; acked = completed with the stored message; unack = failed or\n"
            + "  unanswered (stored: of those, found in history anyway); ack!st = acknowledged but not stored\n"
            + "  (must be 0); stored = in history; expected = (member, message) pairs; miss-rec = of those, never\n"
            + "  delivered even after recovery (must be 0); live-ex = pairs whose client stayed connected across\n"
            + "  the message; live = of those, not delivered live; dup = duplicates shown; order = arrivals with a\n"
            + "  lower seq than one already shown; reconn = loss to back in the room, ms (count); errors = errors\n"
            + "  that reached the users; lat p99 = createdAt to arrival, ms\n");
    b.append(
        String.format(
            "sends skipped: %d while a client was not connected, %d over the window of %d outstanding; history seq gaps: %d%n",
            skippedDisconnected, skippedBacklog, o.window, historyGaps));
    b.append("clients: ").append(mix).append("\n");
    for (int i = 0; i < instances.size(); i++) {
      b.append(
          String.format(
              "instance %d: RSS %s MiB after warm-up, %s MiB at the end; started %d times%n",
              i, mib(rssBefore.get(i)), mib(rssAfter.get(i)), instances.get(i).starts()));
    }
    if (slowBytes != null) {
      b.append(
          slowBytes < 0
              ? String.format(
                  "slow consumer: the server closed it (%d bytes were waiting)%n", -slowBytes - 1)
              : String.format(
                  "slow consumer: still open at the end, %d bytes waiting for it%n", slowBytes));
    }
    if (!errorKinds.isEmpty()) {
      b.append("errors that reached users, by kind:\n");
      errorKinds.entrySet().stream()
          .sorted((x, y) -> y.getValue() - x.getValue())
          .limit(8)
          .forEach(e -> b.append(String.format("  %6d  %s%n", e.getValue(), e.getKey())));
    }
    b.append(failures.isEmpty() ? "verdict: OK\n" : "verdict: FAILED\n");
    for (String f : failures) {
      b.append("  ").append(f).append("\n");
    }
    return b.toString();
  }

  private static String mib(long kb) {
    return kb < 0 ? "-" : String.format("%.0f", kb / 1024.0);
  }

  private static void row(StringBuilder b, String name, String from, Figures f) {
    b.append(
        String.format(
            "%-9s %7s %6d %6d %6d %7s %6d %7d %8d %9d %7d %5d %5d %6d %13s %6d %8d%n",
            name,
            from,
            f.sent,
            f.acked,
            f.unacked,
            "(" + f.unackedButStored + ")",
            f.ackedNotStored,
            f.stored,
            f.expectedDeliveries,
            f.missAfterRecovery,
            f.liveExpected,
            f.liveMiss,
            f.duplicates,
            f.outOfOrder,
            f.reconnectMs.isEmpty()
                ? "-"
                : percentile(f.reconnectMs, 0.5)
                    + "/"
                    + percentile(f.reconnectMs, 0.99)
                    + " ("
                    + f.reconnectMs.size()
                    + ")",
            f.userErrors,
            percentile(f.latencyMs, 0.99)));
  }

  String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", "chaos");
    root.put("runId", runId);
    root.put("instances", o.instances);
    root.put("clients", o.clients);
    root.put("rooms", o.rooms);
    root.put("rate", o.rate);
    root.put("faults", String.join(",", o.faults));
    root.put("strict", o.strict);
    root.put("expectedLoss", String.join(",", o.expectedLoss));
    long start = windows.get(0).from;
    ArrayNode ws = root.putArray("windows");
    for (int i = 0; i < windows.size(); i++) {
      Window w = windows.get(i);
      ObjectNode n = figures(ws.addObject(), perWindow.get(i));
      n.put("name", w.name);
      n.put("fromS", (w.from - start) / 1e3);
      n.put("toS", (w.to - start) / 1e3);
      n.put("injected", w.injected);
      n.put("detail", w.detail);
    }
    figures(root.putObject("total"), total);
    root.put("historySeqGaps", historyGaps);
    root.put("skippedWhileDisconnected", skippedDisconnected);
    root.put("skippedOverWindow", skippedBacklog);
    ArrayNode in = root.putArray("instanceRssKb");
    for (int i = 0; i < instances.size(); i++) {
      ObjectNode n = in.addObject();
      n.put("instance", i);
      n.put("before", rssBefore.get(i));
      n.put("after", rssAfter.get(i));
      n.put("starts", instances.get(i).starts());
    }
    if (slowBytes != null) {
      root.put("slowConsumerClosedByServer", slowBytes < 0);
      root.put("slowConsumerBytesWaiting", slowBytes < 0 ? -slowBytes - 1 : slowBytes);
    }
    ObjectNode kinds = root.putObject("errorsByKind");
    errorKinds.forEach(kinds::put);
    ObjectNode m = root.putObject("clientMix");
    mix.forEach(m::put);
    ArrayNode fs = root.putArray("failures");
    failures.forEach(fs::add);
    root.put("ok", failures.isEmpty());
    return root.toString();
  }

  private static ObjectNode figures(ObjectNode n, Figures f) {
    n.put("sent", f.sent);
    n.put("acked", f.acked);
    n.put("unacked", f.unacked);
    n.put("unackedButStored", f.unackedButStored);
    n.put("ackedNotStored", f.ackedNotStored);
    n.put("stored", f.stored);
    n.put("expectedDeliveries", f.expectedDeliveries);
    n.put("missedAfterRecovery", f.missAfterRecovery);
    n.put("liveExpected", f.liveExpected);
    n.put("liveMissed", f.liveMiss);
    n.put("duplicates", f.duplicates);
    n.put("outOfOrder", f.outOfOrder);
    n.put("reconnects", f.reconnectMs.size());
    n.put("reconnectP50Ms", percentile(f.reconnectMs, 0.5));
    n.put("reconnectP99Ms", percentile(f.reconnectMs, 0.99));
    n.put("userErrors", f.userErrors);
    n.put("deliveryP99Ms", percentile(f.latencyMs, 0.99));
    return n;
  }
}
