package org.jvmchat.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.jvmchat.load.internal.Clock;
import org.jvmchat.load.internal.Conn;
import org.jvmchat.load.internal.Content;
import org.jvmchat.load.internal.Driver;
import org.jvmchat.load.internal.LatencyRecorder;
import org.jvmchat.load.internal.Opener;
import org.jvmchat.load.internal.Phases;
import org.jvmchat.load.internal.Sender;
import org.jvmchat.load.internal.SeqTracker;
import org.jvmchat.load.internal.Setup;
import org.jvmchat.load.internal.Target;

/**
 * {@code echo}: connections, each alone in its own room, each sending {@code SendMessage} with a
 * window of outstanding invocations, as fast as the completions come back. A round trip is send to
 * completion; each connection also accounts for its own {@code ReceiveMessage} arrivals.
 */
public final class Echo {
  private Echo() {}

  private static final class State {
    Sender sender;
    final SeqTracker own = new SeqTracker();
  }

  public static Result run(Options o) throws Exception {
    Kind kind = o.kind();
    Target target = Target.of(kind, o.required("url"));
    int n = o.integer("connections");
    int window = o.integer("window", 1);
    int size = o.integer("size");
    long warmup = Phases.seconds(o.seconds("warmup"));
    long duration = Phases.seconds(o.seconds("duration"));
    Setup setup = Setup.prepare(target, n, o.integer("users", n), n);

    LatencyRecorder latency = new LatencyRecorder();
    LongAdder roundTripsInWindow = new LongAdder();
    LongAdder ownReceived = new LongAdder();
    LongAdder errors = new LongAdder();
    LongAdder foreign = new LongAdder();
    Sender.CompletionHook hook =
        (sentAt, now) -> {
          latency.record(sentAt, now);
          if (latency.inWindow(now)) {
            roundTripsInWindow.increment();
          }
        };
    Conn.Listener listener =
        new Conn.Listener() {
          @Override
          public void onReceive(Conn c, Content.Stamp s) {
            State st = (State) c.attachment;
            if (s.sender() != st.sender.senderIndex()) {
              foreign.increment();
              return;
            }
            st.own.add(s.seq());
            ownReceived.increment();
          }

          @Override
          public void onCompletion(Conn c, long id, boolean error) {
            ((State) c.attachment).sender.onCompletion(id, error);
          }
        };

    try (Driver driver = new Driver(o.integer("driver-threads", 1))) {
      Opener.Opened opened =
          Opener.open(
              driver,
              target,
              n,
              o.integer("concurrency"),
              i -> {
                Conn c = new Conn(i, kind, o.protocol(), listener);
                State st = new State();
                st.sender = new Sender(c, i, setup.room(i), window, size, errors, hook);
                c.attachment = st;
                return c;
              },
              setup,
              o.seconds("setup-timeout"));
      if (opened.failed() > 0) {
        return Result.failed("echo", kind, opened.failure())
            .put("protocol", o.protocol().id())
            .put("connections", opened.opened())
            .put("failedConnections", (long) opened.failed());
      }
      List<Sender> senders = new ArrayList<>();
      for (Conn c : opened.conns()) {
        senders.add(((State) c.attachment).sender);
      }
      long start = Clock.now() + 20_000_000L;
      long windowStart = start + warmup;
      long windowEnd = windowStart + duration;
      latency.window(windowStart, windowEnd);
      Phases.Window measured =
          Phases.runSenders(
              senders,
              0,
              start,
              windowStart,
              windowEnd,
              o.cpuPids(),
              Phases.seconds(o.seconds("drain")),
              ownReceived::sum,
              1);
      driver.barrier();

      long sent = 0;
      long lost = 0;
      long dup = 0;
      long outstanding = 0;
      for (Conn c : opened.conns()) {
        State st = (State) c.attachment;
        sent += st.sender.sent();
        lost += st.own.lost(st.sender.sent());
        dup += st.own.duplicated();
        outstanding += st.sender.outstanding();
      }
      double windowSec = duration / 1e9;
      long trips = roundTripsInWindow.sum();
      Histogram h = latency.merged();
      Result r =
          new Result("echo", kind)
              .put("protocol", o.protocol().id())
              .put("connections", n)
              .put("failedConnections", 0L)
              .put("windowSec", windowSec)
              .put("sent", sent)
              .put("expectedDeliveries", sent)
              .put("delivered", ownReceived.sum())
              .put("roundTripsPerSec", trips / windowSec)
              .put("lost", lost + outstanding)
              .put("duplicated", dup + foreign.sum())
              .put("errors", errors.sum());
      Measures.latency(r, h);
      Measures.cpu(r, "serverCpuUsPerRoundTrip", measured.cpuStart(), measured.cpuEnd(), trips);
      return r;
    }
  }
}
