package org.jvmchat.persistence.settings;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Reads setting values written as text. Every parse method takes the setting's name only to put it
 * in the {@link InvalidSettingException} it throws on a value it cannot read; ranges are checked by
 * the settings builders, not here.
 */
public final class SettingValues {
  /** What {@link #wholeNumber} accepts, as its error message says it. */
  public static final String WHOLE_NUMBER = "a whole number";

  /** What {@link #duration} accepts, as its error message says it. */
  public static final String DURATION = "a duration like 500ms, 5s, 2m, 12h or PT5S";

  private SettingValues() {}

  /**
   * The variable's value without surrounding white space, or {@code null} when it is unset or blank
   * (a blank variable keeps the default, as an unset one does).
   */
  public static String get(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  /**
   * An {@code int} in decimal, optionally signed ({@code 20}, {@code -1}).
   *
   * @throws InvalidSettingException when {@code value} is not one
   */
  public static int wholeNumber(String name, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidSettingException(name, value, WHOLE_NUMBER);
    }
  }

  /**
   * A duration: a whole number with the unit {@code ms}, {@code s}, {@code m} or {@code h} ({@code
   * 500ms}, {@code 5s}, {@code 2m}, {@code 12h}), a bare number of milliseconds ({@code 1500}), or
   * ISO-8601 ({@code PT5S}, {@code PT1M30S}). Case and surrounding white space do not matter.
   *
   * @throws InvalidSettingException when {@code value} is none of these
   */
  public static Duration duration(String name, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } else if (v.endsWith("ms")) {
        return Duration.ofMillis(number(v, 2));
      } else if (v.endsWith("s")) {
        return Duration.ofSeconds(number(v, 1));
      } else if (v.endsWith("m")) {
        return Duration.ofMinutes(number(v, 1));
      } else if (v.endsWith("h")) {
        return Duration.ofHours(number(v, 1));
      }
      return Duration.ofMillis(Long.parseLong(v));
    } catch (RuntimeException e) { // NumberFormatException, DateTimeParseException, overflow
      throw new InvalidSettingException(name, value, DURATION);
    }
  }

  /**
   * One of {@code choices}, compared without regard to case; returns the choice as spelled in
   * {@code choices}.
   *
   * @throws InvalidSettingException naming the choices when {@code value} is none of them
   */
  public static String oneOf(String name, String value, String... choices) {
    String v = value.trim();
    for (String choice : choices) {
      if (choice.equalsIgnoreCase(v)) {
        return choice;
      }
    }
    throw new InvalidSettingException(name, value, alternatives(choices));
  }

  private static long number(String v, int unitLength) {
    return Long.parseLong(v.substring(0, v.length() - unitLength).trim());
  }

  private static String alternatives(String... choices) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < choices.length; i++) {
      if (i > 0) {
        sb.append(i == choices.length - 1 ? " or " : ", ");
      }
      sb.append(choices[i]);
    }
    return sb.toString();
  }
}
