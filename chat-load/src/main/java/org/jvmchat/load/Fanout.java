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
 * {@code fanout}: receivers and senders join one room; senders send at a fixed rate or as fast as
 * their window allows; every receiver accounts for every message of every sender.
 */
public final class Fanout {
  private Fanout() {}

  /** A receiver's per-sender accounting; touched only on its event loop. */
  private static final class Receiver {
    final SeqTracker[] bySender;

    Receiver(int senders) {
      bySender = new SeqTracker[senders];
      for (int i = 0; i < senders; i++) {
        bySender[i] = new SeqTracker();
      }
    }
  }

  public static Result run(Options o) throws Exception {
    Kind kind = o.kind();
    // Several URLs: instances sharing a backplane. Rooms and senders on the first, receivers
    // round robin over all, so that deliveries cross from one instance to the others.
    List<Target> targets =
        java.util.Arrays.stream(o.required("url").split(","))
            .map(String::trim)
            .filter(u -> !u.isEmpty())
            .map(u -> Target.of(kind, u))
            .toList();
    Target target = targets.get(0);
    int receivers = o.integer("receivers");
    int senders = Math.max(1, o.integer("senders"));
    double rate = o.rate();
    int window = o.integer("window", 32);
    int size = o.integer("size");
    long warmup = Phases.seconds(o.seconds("warmup"));
    long duration = Phases.seconds(o.seconds("duration"));
    int total = receivers + senders;
    Setup setup = Setup.prepare(target, total, o.integer("users", total), 1);
    String room = setup.room(0);

    LatencyRecorder latency = new LatencyRecorder();
    LongAdder delivered = new LongAdder();
    LongAdder deliveredInWindow = new LongAdder();
    LongAdder errors = new LongAdder();
    LongAdder unknown = new LongAdder();
    List<Sender> senderList = new ArrayList<>();
    Conn.Listener listener =
        new Conn.Listener() {
          @Override
          public void onReceive(Conn c, Content.Stamp s) {
            if (!(c.attachment instanceof Receiver r)) {
              return; // a sender hearing its own message
            }
            if (s.sender() >= r.bySender.length) {
              unknown.increment();
              return;
            }
            long now = Clock.now();
            r.bySender[s.sender()].add(s.seq());
            delivered.increment();
            if (latency.inWindow(now)) {
              deliveredInWindow.increment();
            }
            latency.record(s.nanos(), now);
          }

          @Override
          public void onCompletion(Conn c, long id, boolean error) {
            if (c.attachment instanceof Sender s) {
              s.onCompletion(id, error);
            }
          }
        };

    try (Driver driver = new Driver(o.integer("driver-threads", 1))) {
      Opener.Opened opened =
          Opener.open(
              driver,
              i -> i < receivers ? targets.get(i % targets.size()) : target,
              total,
              o.integer("concurrency"),
              i -> {
                Conn c = new Conn(i, kind, o.protocol(), listener);
                if (i < receivers) {
                  c.attachment = new Receiver(senders);
                } else {
                  Sender s = new Sender(c, i - receivers, room, window, size, errors, null);
                  c.attachment = s;
                  synchronized (senderList) {
                    senderList.add(s);
                  }
                }
                return c;
              },
              setup,
              o.seconds("setup-timeout"));
      if (opened.failed() > 0) {
        return Result.failed("fanout", kind, opened.failure())
            .put("protocol", o.protocol().id())
            .put("connections", opened.opened())
            .put("failedConnections", (long) opened.failed());
      }
      long start = Clock.now() + 20_000_000L;
      long windowStart = start + warmup;
      long windowEnd = windowStart + duration;
      latency.window(windowStart, windowEnd);
      List<Sender> sendersNow;
      synchronized (senderList) {
        sendersNow = new ArrayList<>(senderList);
      }
      Phases.Window measured =
          Phases.runSenders(
              sendersNow,
              rate,
              start,
              windowStart,
              windowEnd,
              o.cpuPids(),
              Phases.seconds(o.seconds("drain")),
              delivered::sum,
              receivers);
      driver.barrier();

      long sentTotal = 0;
      long[] sentBy = new long[senders];
      for (Sender s : sendersNow) {
        sentBy[s.senderIndex()] = s.sent();
        sentTotal += s.sent();
      }
      long lost = 0;
      long dup = 0;
      for (Conn c : opened.conns()) {
        if (c.attachment instanceof Receiver r) {
          for (int k = 0; k < senders; k++) {
            lost += r.bySender[k].lost(sentBy[k]);
            dup += r.bySender[k].duplicated();
          }
        }
      }
      double windowSec = duration / 1e9;
      long inWindow = deliveredInWindow.sum();
      Histogram h = latency.merged();
      Result r =
          new Result("fanout", kind)
              .put("protocol", o.protocol().id())
              .put("connections", total)
              .put("failedConnections", 0L)
              .put("windowSec", windowSec)
              .put("sent", sentTotal)
              .put("expectedDeliveries", sentTotal * receivers)
              .put("delivered", delivered.sum())
              .put("deliveriesPerSec", inWindow / windowSec)
              .put("lost", lost)
              .put("duplicated", dup + unknown.sum())
              .put("errors", errors.sum());
      Measures.latency(r, h);
      Measures.cpu(r, "serverCpuUsPerDelivery", measured.cpuStart(), measured.cpuEnd(), inWindow);
      return r;
    }
  }
}
