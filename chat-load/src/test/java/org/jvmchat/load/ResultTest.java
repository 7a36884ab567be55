package org.jvmchat.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ResultTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void theJsonLineHasEveryKeyInOrderAndIsOneLine() throws Exception {
    Result r =
        new Result("fanout", Kind.CEILING)
            .put("deliveriesPerSec", 12345.6789)
            .put("p50Ms", 1.23456)
            .put("p99Ms", Double.NaN)
            .put("lost", 0L)
            .put("duplicated", 2L);
    String line = r.toJson();
    assertThat(line).doesNotContain("\n");
    JsonNode n = json.readTree(line);
    assertThat(n.fieldNames()).toIterable().containsExactlyElementsOf(Result.KEYS);
    assertThat(n.get("scenario").asText()).isEqualTo("fanout");
    assertThat(n.get("kind").asText()).isEqualTo("ceiling");
    assertThat(n.get("deliveriesPerSec").asDouble()).isEqualTo(12345.679);
    assertThat(n.get("p50Ms").asDouble()).isEqualTo(1.235);
    assertThat(n.get("p99Ms").isNull()).isTrue();
    assertThat(n.get("rssPerConnectionKb").isNull()).isTrue();
    assertThat(r.bad()).isTrue();
    assertThat(r.toTable()).contains("deliveriesPerSec").doesNotContain("rssPerConnectionKb");
  }

  @Test
  void cleanRunIsNotBadAndAFailureIs() {
    assertThat(new Result("echo", Kind.CHAT).bad()).isFalse();
    assertThat(Result.failed("echo", Kind.CHAT, "no server").bad()).isTrue();
    assertThatThrownBy(() -> new Result("echo", Kind.CHAT).put("nope", 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compareRatios() {
    Result chat = new Result("echo", Kind.CHAT).put("roundTripsPerSec", 500.0);
    Result ceiling = new Result("echo", Kind.CEILING).put("roundTripsPerSec", 2000.0);
    assertThat(Compare.ratio(chat, ceiling, "roundTripsPerSec")).isEqualTo(0.25);
    assertThat(Compare.ratio(chat, null, "roundTripsPerSec")).isNull();
    assertThat(Compare.ratio(chat, ceiling, "p50Ms")).isNull();
  }

  @Test
  void optionsParseWithDefaults() {
    Options o =
        Options.parse(
            "fanout", "--url", "http://h:1", "--kind=socketio", "--rate", "250", "--json");
    assertThat(o.command()).isEqualTo("fanout");
    assertThat(o.kind()).isEqualTo(Kind.SOCKETIO);
    assertThat(o.rate()).isEqualTo(250.0);
    assertThat(o.json()).isTrue();
    assertThat(o.integer("receivers")).isEqualTo(1000);
    assertThat(o.integer("window", 32)).isEqualTo(32);
    assertThat(Options.parse("fanout").rate()).isZero(); // max
    assertThatThrownBy(() -> Options.parse("fanout", "--bogus", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
