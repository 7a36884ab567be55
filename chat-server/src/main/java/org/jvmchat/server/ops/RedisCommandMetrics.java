package org.jvmchat.server.ops;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketAddress;

/**
 * Lettuce's command latencies in Micrometer's terms, for every Redis client of the server (the
 * backplane, the limits, presence): Lettuce's own {@link MicrometerCommandLatencyRecorder}, whose
 * timers are {@code lettuce.command.completion} (from sending a command to its full answer) and
 * {@code lettuce.command.firstresponse} (to the first byte of the answer), tagged {@code command},
 * {@code remote} (the Redis address) and {@code local} ({@code local:any}), published as histograms
 * (Prometheus: {@code lettuce_command_completion_seconds_bucket{command="PUBLISH",...}}).
 *
 * <p>Clients can be created before the registry exists (the backplane is built before the server):
 * this recorder records nothing until {@link #bindTo} and then into the registry.
 */
public final class RedisCommandMetrics implements CommandLatencyRecorder {
  private volatile CommandLatencyRecorder target = CommandLatencyRecorder.disabled();

  /** From now on, command latencies go to {@code registry}. */
  public void bindTo(MeterRegistry registry) {
    target =
        new MicrometerCommandLatencyRecorder(
            registry,
            MicrometerOptions.builder()
                .enable()
                .histogram(true)
                .targetPercentiles(new double[0])
                .localDistinction(false)
                .build());
  }

  @Override
  public void recordCommandLatency(
      SocketAddress local,
      SocketAddress remote,
      ProtocolKeyword commandType,
      long firstResponseLatency,
      long completionLatency) {
    target.recordCommandLatency(
        local, remote, commandType, firstResponseLatency, completionLatency);
  }

  @Override
  public boolean isEnabled() {
    return true;
  }
}
