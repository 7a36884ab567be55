package org.jvmchat.backplane.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisBackplaneOptionsTest {

  @Test
  void parsesHostPortAndDatabase() {
    RedisBackplaneOptions o = RedisBackplaneOptions.builder("redis://10.1.2.3:6380/4").build();

    assertThat(o.redisUri().getHost()).isEqualTo("10.1.2.3");
    assertThat(o.redisUri().getPort()).isEqualTo(6380);
    assertThat(o.redisUri().getDatabase()).isEqualTo(4);
    assertThat(o.target()).isEqualTo("redis://10.1.2.3:6380/4");
  }

  @Test
  void defaultsApplyWhenTheUrlIsMissingOrHasNoPortOrDatabase() {
    RedisBackplaneOptions none = RedisBackplaneOptions.builder(null).build();
    RedisBackplaneOptions blank = RedisBackplaneOptions.builder("  ").build();
    RedisBackplaneOptions hostOnly = RedisBackplaneOptions.builder("redis://cache").build();

    assertThat(none.target()).isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(blank.target()).isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(hostOnly.target()).isEqualTo("redis://cache:6379/0");
    assertThat(none.connectTimeout()).isEqualTo(RedisBackplaneOptions.DEFAULT_CONNECT_TIMEOUT);
    assertThat(none.commandTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(none.redisUri().getTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void credentialsAreUsedButNeverShownInTheTarget() {
    RedisBackplaneOptions o = RedisBackplaneOptions.builder("redis://:s3cret@cache:6379/1").build();

    assertThat(o.target()).doesNotContain("s3cret");
    assertThat(o.toString()).doesNotContain("s3cret");
  }

  @Test
  void tlsUrlsAreAccepted() {
    RedisBackplaneOptions o = RedisBackplaneOptions.builder("rediss://cache:6380").build();

    assertThat(o.redisUri().isSsl()).isTrue();
    assertThat(o.target()).isEqualTo("rediss://cache:6380/0");
  }

  @Test
  void malformedUrlsAreRejectedWithAReadableMessage() {
    assertThatThrownBy(() -> RedisBackplaneOptions.builder("http://cache:6379").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unsupported Redis URL scheme 'http'")
        .hasMessageContaining("redis://host:port[/db]");
    assertThatThrownBy(() -> RedisBackplaneOptions.builder("redis://cache:6379/zero").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database must be a number");
    assertThatThrownBy(() -> RedisBackplaneOptions.builder("cache:6379").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisBackplaneOptions.builder("redis://:pw@ bad host").build())
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("pw");
  }

  @Test
  void durationsMustBePositive() {
    assertThatThrownBy(
            () -> RedisBackplaneOptions.builder("redis://x").commandTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(
            () ->
                RedisBackplaneOptions.builder("redis://x")
                    .reconnectDelay(Duration.ofSeconds(2), Duration.ofSeconds(1))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toBuilderKeepsEverySetting() {
    RedisBackplaneOptions o =
        RedisBackplaneOptions.builder("redis://cache:1/2")
            .connectTimeout(Duration.ofMillis(300))
            .commandTimeout(Duration.ofMillis(400))
            .reconnectDelay(Duration.ofMillis(10), Duration.ofMillis(20))
            .build();

    RedisBackplaneOptions copy = o.toBuilder().build();

    assertThat(copy.toString()).isEqualTo(o.toString());
    assertThat(copy.redisUrl()).isEqualTo(o.redisUrl());
  }

  @Test
  void streamModeIsOffByDefaultAndItsBoundsAreValidatedAndKept() {
    RedisBackplaneOptions plain = RedisBackplaneOptions.builder(null).build();
    assertThat(plain.streamKey()).isNull();
    assertThat(plain.streamMaxLength()).isEqualTo(100_000);
    assertThat(plain.publishBuffer()).isEqualTo(10_000);
    assertThat(plain.toString()).contains("pub/sub");

    RedisBackplaneOptions stream =
        RedisBackplaneOptions.builder(null).stream("app:backplane")
            .streamMaxLength(500)
            .publishBuffer(50)
            .build();
    assertThat(stream.toBuilder().build().streamKey()).isEqualTo("app:backplane");
    assertThat(stream.toBuilder().build().streamMaxLength()).isEqualTo(500);
    assertThat(stream.toBuilder().build().publishBuffer()).isEqualTo(50);
    assertThat(RedisBackplaneOptions.builder(null).stream(" ").build().streamKey()).isNull();
    assertThatThrownBy(() -> RedisBackplaneOptions.builder(null).streamMaxLength(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> RedisBackplaneOptions.builder(null).publishBuffer(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
