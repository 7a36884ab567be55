package org.jvmchat.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one scenario run: a fixed set of metrics, in a fixed order, null where a metric
 * does not apply; printed as a human table and as one JSON line.
 */
public final class Result {
  /** Every key of the JSON line, in order. */
  public static final List<String> KEYS =
      List.of(
          "scenario",
          "kind",
          "protocol",
          "connections",
          "warmupConnections",
          "failedConnections",
          "windowSec",
          "sent",
          "expectedDeliveries",
          "delivered",
          "deliveriesPerSec",
          "roundTripsPerSec",
          "connectsPerSec",
          "p50Ms",
          "p99Ms",
          "p999Ms",
          "maxMs",
          "latencySamples",
          "lost",
          "duplicated",
          "errors",
          "serverCpuUsPerDelivery",
          "serverCpuUsPerRoundTrip",
          "serverCpuUsPerConnect",
          "databaseCpuUsPerDelivery",
          "databaseCpuUsPerRoundTrip",
          "databaseCpuUsPerConnect",
          "serverCpuPercent",
          "serverRssMb",
          "rssPerConnectionKb",
          "heapPerConnectionKb",
          "warmRssPerConnectionKb",
          "warmHeapPerConnectionKb",
          "error");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Map<String, Object> values = new LinkedHashMap<>();

  public Result(String scenario, Kind kind) {
    for (String k : KEYS) {
      values.put(k, null);
    }
    values.put("scenario", scenario);
    values.put("kind", kind.id());
    values.put("lost", 0L);
    values.put("duplicated", 0L);
    values.put("errors", 0L);
  }

  /** A run that could not be made (server did not start, connections failed, ...). */
  public static Result failed(String scenario, Kind kind, String error) {
    return new Result(scenario, kind).put("error", error);
  }

  public Result put(String key, Object value) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("unknown result key " + key);
    }
    if (value instanceof Double d) {
      value = Double.isNaN(d) || Double.isInfinite(d) ? null : round(d);
    }
    values.put(key, value);
    return this;
  }

  public Object get(String key) {
    return values.get(key);
  }

  public Double number(String key) {
    Object v = values.get(key);
    return v instanceof Number n ? n.doubleValue() : null;
  }

  public long lost() {
    return ((Number) values.get("lost")).longValue();
  }

  public long duplicated() {
    return ((Number) values.get("duplicated")).longValue();
  }

  public String error() {
    return (String) values.get("error");
  }

  /** Whether the run counts as a failure for the exit status. */
  public boolean bad() {
    return lost() > 0 || duplicated() > 0 || error() != null;
  }

  public Map<String, Object> asMap() {
    return new LinkedHashMap<>(values);
  }

  public String toJson() {
    return json(values);
  }

  static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Two columns, only the metrics that apply. */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      if (e.getValue() != null) {
        sb.append(String.format("%-26s %s%n", e.getKey(), format(e.getValue())));
      }
    }
    return sb.toString();
  }

  static String format(Object v) {
    if (v instanceof Double d) {
      if (Math.abs(d) >= 1000) {
        return String.format("%,.0f", d);
      }
      if (Math.abs(d) >= 10) {
        return String.format("%.1f", d);
      }
      return String.format("%.3f", d);
    }
    if (v instanceof Long || v instanceof Integer) {
      return String.format("%,d", ((Number) v).longValue());
    }
    return String.valueOf(v);
  }

  private static double round(double d) {
    return Math.round(d * 1000.0) / 1000.0;
  }
}
