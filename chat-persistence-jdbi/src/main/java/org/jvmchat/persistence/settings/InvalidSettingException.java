package org.jvmchat.persistence.settings;

/**
 * A setting's value is not in a form it accepts. The message is one line: {@code <name> must be
 * <expected> (was '<value>')}.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String value;
  private final String expected;

  /**
   * @param name the setting as the user wrote it: an environment variable ({@code DB_POOL_SIZE}) or
   *     a place in a settings file
   * @param value the value as given
   * @param expected what would have been accepted, e.g. {@code "a whole number"}
   */
  public InvalidSettingException(String name, String value, String expected) {
    super(name + " must be " + expected + " (was '" + value + "')");
    this.name = name;
    this.value = value;
    this.expected = expected;
  }

  /** The setting: an environment variable or a place in a settings file. */
  public String name() {
    return name;
  }

  /** The value as given. */
  public String value() {
    return value;
  }

  /** What the setting accepts, e.g. {@code "a whole number"}. */
  public String expected() {
    return expected;
  }
}
