package org.jvmchat.load.ceiling;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker group's event loops, each with its {@link Loop} (and its keep-alive sweep); fixed once
 * built.
 */
final class Loops {
  private final List<Loop> all = new ArrayList<>();
  private final Map<EventExecutor, Loop> byExecutor = new IdentityHashMap<>();

  Loops(EventLoopGroup workers, Timeouts timeouts) {
    for (EventExecutor e : workers) {
      Loop l = new Loop(all.size(), e, timeouts);
      all.add(l);
      byExecutor.put(e, l);
    }
  }

  int size() {
    return all.size();
  }

  List<Loop> all() {
    return all;
  }

  /** The {@link Loop} of a worker loop of this group. */
  Loop of(EventExecutor e) {
    Loop l = byExecutor.get(e);
    if (l == null) {
      throw new IllegalStateException("not a worker loop of the ceiling: " + e);
    }
    return l;
  }
}
