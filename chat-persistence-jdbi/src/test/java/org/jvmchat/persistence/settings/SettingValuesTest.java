package org.jvmchat.persistence.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingValuesTest {
  @Test
  void anUnsetOrBlankVariableIsNullAndAValueIsTrimmed() {
    Map<String, String> env = new HashMap<>();
    env.put("BLANK", "   ");
    env.put("EMPTY", "");
    env.put("PADDED", "  5s \t");
    assertThat(SettingValues.get(env, "MISSING")).isNull();
    assertThat(SettingValues.get(env, "BLANK")).isNull();
    assertThat(SettingValues.get(env, "EMPTY")).isNull();
    assertThat(SettingValues.get(env, "PADDED")).isEqualTo("5s");
  }

  @Test
  void wholeNumbersAreDecimalInts() {
    assertThat(SettingValues.wholeNumber("N", "20")).isEqualTo(20);
    assertThat(SettingValues.wholeNumber("N", "0")).isZero();
    assertThat(SettingValues.wholeNumber("N", "-1")).isEqualTo(-1);
    assertThat(SettingValues.wholeNumber("N", " 7 ")).isEqualTo(7);
  }

  @Test
  void aBadWholeNumberNamesTheSettingTheValueAndWhatIsExpected() {
    for (String bad : new String[] {"many", "1.5", "10k", "3000000000", "0x10"}) {
      assertThatThrownBy(() -> SettingValues.wholeNumber("DB_POOL_SIZE", bad))
          .isInstanceOfSatisfying(
              InvalidSettingException.class,
              e -> {
                assertThat(e.name()).isEqualTo("DB_POOL_SIZE");
                assertThat(e.value()).isEqualTo(bad);
                assertThat(e.expected()).isEqualTo("a whole number");
              })
          .hasMessage("DB_POOL_SIZE must be a whole number (was '" + bad + "')");
    }
  }

  @Test
  void durationsTakeMillisecondsSecondsMinutesAndHours() {
    assertThat(SettingValues.duration("D", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(SettingValues.duration("D", "5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(SettingValues.duration("D", "2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(SettingValues.duration("D", "12h")).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void aBareNumberIsMilliseconds() {
    assertThat(SettingValues.duration("D", "1500")).isEqualTo(Duration.ofMillis(1500));
    assertThat(SettingValues.duration("D", "0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void iso8601DurationsAreAccepted() {
    assertThat(SettingValues.duration("D", "PT5S")).isEqualTo(Duration.ofSeconds(5));
    assertThat(SettingValues.duration("D", "pt1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(SettingValues.duration("D", "PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void durationUnitsIgnoreCaseAndWhiteSpace() {
    assertThat(SettingValues.duration("D", "5S")).isEqualTo(Duration.ofSeconds(5));
    assertThat(SettingValues.duration("D", "250MS")).isEqualTo(Duration.ofMillis(250));
    assertThat(SettingValues.duration("D", " 12H ")).isEqualTo(Duration.ofHours(12));
    assertThat(SettingValues.duration("D", "5 s")).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aBadDurationNamesTheSettingTheValueAndWhatIsExpected() {
    for (String bad :
        new String[] {"soon", "5x", "1.5s", "s", "PT", "5d", "99999999999999999999h"}) {
      assertThatThrownBy(() -> SettingValues.duration("DB_CONNECT_TIMEOUT", bad))
          .isInstanceOfSatisfying(
              InvalidSettingException.class,
              e -> {
                assertThat(e.name()).isEqualTo("DB_CONNECT_TIMEOUT");
                assertThat(e.value()).isEqualTo(bad);
              })
          .hasMessage(
              "DB_CONNECT_TIMEOUT must be a duration like 500ms, 5s, 2m, 12h or PT5S (was '"
                  + bad
                  + "')");
    }
  }

  @Test
  void anHourCountTooLargeForADurationIsABadValueNotAnOverflow() {
    assertThatThrownBy(() -> SettingValues.duration("D", "9223372036854775807h"))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("must be a duration");
  }

  @Test
  void aChoiceIgnoresCaseAndReturnsItsOwnSpelling() {
    assertThat(SettingValues.oneOf("CHAT_STORE", "Memory", "postgres", "memory"))
        .isEqualTo("memory");
    assertThat(SettingValues.oneOf("E", " production ", "Development", "Production"))
        .isEqualTo("Production");
  }

  @Test
  void aBadChoiceListsTheChoices() {
    assertThatThrownBy(() -> SettingValues.oneOf("CHAT_STORE", "redis", "postgres", "memory"))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("CHAT_STORE must be postgres or memory (was 'redis')");
    assertThatThrownBy(() -> SettingValues.oneOf("MODE", "d", "a", "b", "c"))
        .hasMessage("MODE must be a, b or c (was 'd')");
  }

  @Test
  void invalidSettingIsAnIllegalArgumentSoBuildersAndParsersFailAlike() {
    assertThat(new InvalidSettingException("X", "y", "z"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
