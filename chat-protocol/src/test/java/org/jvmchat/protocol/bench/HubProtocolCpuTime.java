package org.jvmchat.protocol.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.Supplier;

/**
 * Companion to {@link HubProtocolBenchmark} for busy machines: runs the same benchmark methods in
 * one thread and reports thread <em>CPU</em> time per operation, which other processes competing
 * for the cores do not inflate the way they inflate JMH's wall-clock throughput. Not a substitute
 * for JMH on a quiet machine. Run: {@code mvn -pl chat-protocol -Pbench -DskipTests test
 * -Dbench.args=org.jvmchat.protocol.bench.HubProtocolCpuTime}.
 */
public final class HubProtocolCpuTime {
  private static final int WARMUP = 300_000;
  private static final int MEASURED = 500_000;

  private HubProtocolCpuTime() {}

  public static void main(String[] args) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    System.out.printf(
        "%-14s %-14s %12s %16s%n", "protocol", "operation", "CPU ns/op", "ops/s per core");
    for (String name : new String[] {"json", "messagepack"}) {
      HubProtocolBenchmark b = new HubProtocolBenchmark();
      b.protocolName = name;
      b.setUp();
      measure(threads, name, "encode", b::encode);
      measure(threads, name, "decode", b::decode);
      measure(threads, name, "decodeGeneric", b::decodeGeneric);
    }
  }

  private static void measure(
      ThreadMXBean threads, String protocol, String operation, Supplier<Object> op) {
    int hash = 0;
    for (int i = 0; i < WARMUP; i++) {
      hash += System.identityHashCode(op.get()) & 1;
    }
    long start = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < MEASURED; i++) {
      hash += System.identityHashCode(op.get()) & 1;
    }
    double ns = (threads.getCurrentThreadCpuTime() - start) / (double) MEASURED;
    System.out.printf(
        "%-14s %-14s %12.0f %,16.0f%s%n", protocol, operation, ns, 1e9 / ns, hash < 0 ? "!" : "");
  }
}
