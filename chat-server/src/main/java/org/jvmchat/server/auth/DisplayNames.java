package org.jvmchat.server.auth;

/**
 * Display names are shown to other users, so characters that change how text around them is shown
 * are not accepted in them: control characters (C0, DEL, C1) and the Unicode bidirectional
 * formatting characters (ALM U+061C, LRM U+200E, RLM U+200F, the embeddings and overrides
 * U+202A..U+202E, the isolates U+2066..U+2069), with which a name such as {@code "\u202Eecila"}
 * shows as another user's name. A token's {@code name} has them removed ({@link #strip}); a name
 * this server is asked to issue is refused ({@link #unsafe}).
 */
public final class DisplayNames {
  private DisplayNames() {}

  /** Whether {@code cp} is a control or bidirectional formatting character. */
  public static boolean isUnsafe(int cp) {
    return Character.isISOControl(cp)
        || cp == 0x061C
        || cp == 0x200E
        || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069);
  }

  /** Whether {@code name} holds such a character. */
  public static boolean unsafe(String name) {
    return name.codePoints().anyMatch(DisplayNames::isUnsafe);
  }

  /** {@code name} without such characters (the same instance when it has none). */
  public static String strip(String name) {
    if (!unsafe(name)) {
      return name;
    }
    StringBuilder b = new StringBuilder(name.length());
    name.codePoints().filter(cp -> !isUnsafe(cp)).forEach(b::appendCodePoint);
    return b.toString();
  }
}
