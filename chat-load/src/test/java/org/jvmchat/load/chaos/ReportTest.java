package org.jvmchat.load.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The account of a chaos run, on hand-made records: what counts where, and what fails the run. */
class ReportTest {
  private static final String ROOM = "room-1";
  private static final long T0 = 1_000_000;
  private static final long FAULT = T0 + 10_000;
  private static final long END = T0 + 30_000;

  /** The one failure of a report without any acknowledged send. */
  private static final String NOTHING_ACKED = "no message was acknowledged";

  private final ChaosOptions options = ChaosOptions.parse("--faults", "redis,postgres");
  private final List<Report.Stored> history = new ArrayList<>();
  private final List<ChaosClient> clients = new ArrayList<>();
  private final Map<Integer, Set<String>> recovered = new LinkedHashMap<>();

  private ChaosClient client(int index) {
    ChaosClient c =
        new ChaosClient(
            index,
            "run",
            "u" + index,
            "token",
            ROOM,
            ChaosClient.Kind.WS_JSON,
            "http://127.0.0.1:1",
            options,
            null,
            null);
    clients.add(c);
    recovered.put(index, Set.of());
    return c;
  }

  private static ChaosClient.Interval interval(long from, long to, long lastHeard) {
    ChaosClient.Interval i = new ChaosClient.Interval(from);
    i.to = to;
    i.lastHeard = lastHeard;
    return i;
  }

  private Report.Stored store(String id, long seq, long createdAt) {
    Report.Stored s = new Report.Stored(id, seq, "content " + id, createdAt);
    history.add(s);
    return s;
  }

  /** The report of a run with a steady window and one fault window, {@code faultName}. */
  private Report report(String faultName) {
    options.faults = new ArrayList<>(List.of(faultName));
    return report(faultName, options.faults);
  }

  private Report report(String faultName, List<String> faults) {
    options.faults = new ArrayList<>(faults);
    List<Report.Window> windows = new ArrayList<>();
    Report.Window steady = new Report.Window("steady", "", T0);
    steady.to = FAULT;
    Report.Window fault = new Report.Window(faultName, "", FAULT);
    fault.to = END;
    windows.add(steady);
    windows.add(fault);
    List<Instance> instances = List.of(new Instance(0, List.of("true"), Map.of(), Path.of(".")));
    return new Report(
        options,
        "run",
        windows,
        clients,
        Map.of(ROOM, history),
        recovered,
        instances,
        List.of(1024L),
        List.of(2048L),
        null,
        null);
  }

  @Test
  void aCleanRunPasses() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END - 100));
    Report.Stored m = store("m1", 1, T0 + 1000);
    ChaosClient.Send s = new ChaosClient.Send(m.content(), T0 + 990);
    s.ackedAt = T0 + 1010;
    s.messageId = "m1";
    c.sends.add(s);
    c.received.put("m1", new ChaosClient.Delivery(1, T0 + 1020));

    Report r = report("redis");
    assertThat(r.failures()).isEmpty();
    Report.Figures steady = r.figures(0);
    assertThat(steady.sent).isEqualTo(1);
    assertThat(steady.acked).isEqualTo(1);
    assertThat(steady.liveExpected).isEqualTo(1);
    assertThat(steady.liveMiss).isZero();
    assertThat(r.toJson()).contains("\"ok\":true", "\"ackedNotStored\":0");
    assertThat(r.toTable()).contains("verdict: OK");
  }

  @Test
  void anAcknowledgedMessageMissingFromHistoryFailsTheRun() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    ChaosClient.Send s = new ChaosClient.Send("lost", T0 + 500);
    s.ackedAt = T0 + 510;
    s.messageId = "never-stored";
    c.sends.add(s);
    store("m0", 1, T0 + 100);
    c.received.put("m0", new ChaosClient.Delivery(1, T0 + 120));

    Report r = report("redis");
    assertThat(r.total().ackedNotStored).isEqualTo(1);
    assertThat(r.failed()).isTrue();
    assertThat(r.failures()).anyMatch(f -> f.contains("acknowledged messages are not stored"));
  }

  @Test
  void anUnacknowledgedSendFoundInHistoryIsCountedNotFailed() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    Report.Stored m = store("m1", 1, T0 + 1000);
    ChaosClient.Send s = new ChaosClient.Send(m.content(), T0 + 990);
    s.error = "connection closed";
    c.sends.add(s);
    c.received.put("m1", new ChaosClient.Delivery(1, T0 + 1020));

    Report r = report("redis");
    assertThat(r.total().unacked).isEqualTo(1);
    assertThat(r.total().unackedButStored).isEqualTo(1);
    assertThat(r.failures()).containsExactly(NOTHING_ACKED);
    assertThat(r.details).anyMatch(d -> d.startsWith("unacked-but-stored client 0"));
  }

  @Test
  void aMessageNeitherDeliveredNorRecoveredFailsTheRun() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    store("m1", 1, T0 + 1000);

    Report r = report("redis");
    assertThat(r.total().missAfterRecovery).isEqualTo(1);
    assertThat(r.failures()).anyMatch(f -> f.contains("never reached a member"));
  }

  @Test
  void aLiveMissOfAConnectedClientFailsOutsideTheExpectedLossFaults() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    store("m1", 1, FAULT + 1000);
    recovered.put(0, Set.of("m1"));

    Report tolerated = report("redis");
    assertThat(tolerated.figures(1).liveMiss).isEqualTo(1);
    assertThat(tolerated.total().missAfterRecovery).isZero();
    assertThat(tolerated.failures()).containsExactly(NOTHING_ACKED);
    assertThat(tolerated.details).anyMatch(d -> d.startsWith("live-miss client 0"));

    Report failed = report("postgres");
    assertThat(failed.failures()).anyMatch(f -> f.startsWith("postgres: 1 live deliveries missed"));
  }

  @Test
  void strictFailsEvenInTheExpectedLossFaults() {
    ChaosOptions strict = ChaosOptions.parse("--strict");
    assertThat(strict.strict).isTrue();
    options.strict = true;
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    store("m1", 1, FAULT + 1000);
    recovered.put(0, Set.of("m1"));
    assertThat(report("redis").failures()).anyMatch(f -> f.startsWith("redis: 1 live"));
  }

  @Test
  void aConnectionThatWentSilentBeforeTheMessageDoesNotExpectIt() {
    ChaosClient c = client(0);
    // lost at FAULT + 5000, last heard at FAULT + 500: the message at FAULT + 1000 was not expected
    c.intervals.add(interval(T0, FAULT + 5000, FAULT + 500));
    c.intervals.add(interval(FAULT + 6000, END, END));
    store("m1", 1, FAULT + 1000);
    recovered.put(0, Set.of("m1"));

    Report r = report("postgres");
    assertThat(r.figures(1).expectedDeliveries).isEqualTo(1);
    assertThat(r.figures(1).liveExpected).isZero();
    assertThat(r.failures()).containsExactly(NOTHING_ACKED);
  }

  @Test
  void aMemberExpectsOnlyWhatWasStoredAfterItFirstJoined() {
    store("before", 1, T0 + 100);
    ChaosClient c = client(0);
    c.intervals.add(interval(T0 + 500, END, END));
    Report r = report("redis");
    assertThat(r.total().expectedDeliveries).isZero();
    assertThat(r.failures()).containsExactly(NOTHING_ACKED);
  }

  @Test
  void aMessageStoredJustBeforeAFaultCountsInTheFault() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    store("m1", 1, FAULT - Report.IN_FLIGHT_MS + 100);
    store("m2", 2, FAULT - Report.IN_FLIGHT_MS - 100);
    c.received.put("m1", new ChaosClient.Delivery(1, FAULT));
    c.received.put("m2", new ChaosClient.Delivery(2, FAULT));
    Report r = report("redis");
    assertThat(r.figures(0).stored).isEqualTo(1);
    assertThat(r.figures(1).stored).isEqualTo(1);
  }

  @Test
  void duplicatesAndSeqGapsAreCounted() {
    ChaosClient c = client(0);
    c.intervals.add(interval(T0, END, END));
    store("m1", 1, T0 + 100);
    store("m3", 3, T0 + 200); // seq 2 is missing
    c.received.put("m1", new ChaosClient.Delivery(1, T0 + 120));
    c.received.put("m3", new ChaosClient.Delivery(3, T0 + 220));
    c.duplicates.add(new long[] {FAULT + 10, 1, T0 + 120});

    Report r = report("postgres");
    assertThat(r.figures(1).duplicates).isEqualTo(1);
    assertThat(r.failures())
        .anyMatch(f -> f.contains("seq numbers missing"))
        .anyMatch(f -> f.startsWith("postgres: 1 duplicates"));
  }

  @Test
  void aFaultThatWasNotInjectedFailsTheRun() {
    client(0).intervals.add(interval(T0, END, END));
    store("m1", 1, T0 + 100);
    clients.get(0).received.put("m1", new ChaosClient.Delivery(1, T0 + 120));
    ChaosClient.Send s = new ChaosClient.Send("content m1", T0 + 90);
    s.ackedAt = T0 + 110;
    s.messageId = "m1";
    clients.get(0).sends.add(s);
    // redis and postgres were asked for; only a redis window exists
    Report r = report("redis", List.of("redis", "postgres"));
    assertThat(r.failures()).anyMatch(f -> f.equals("fault postgres was not injected"));
  }

  @Test
  void percentiles() {
    assertThat(Report.percentile(List.of(), 0.5)).isEqualTo(-1);
    assertThat(Report.percentile(List.of(5L, 1L, 3L), 0.5)).isEqualTo(3);
    assertThat(Report.percentile(List.of(5L, 1L, 3L), 0.99)).isEqualTo(5);
  }
}
