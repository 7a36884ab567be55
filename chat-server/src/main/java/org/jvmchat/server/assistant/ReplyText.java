package org.jvmchat.server.assistant;

import org.jvmchat.persistence.ChatLimits;

/**
 * The text of one assistant reply as it streams in: it makes each delta storable (NUL becomes
 * U+FFFD; a high surrogate at the end of a delta waits for the next one, so a pair split across
 * deltas is kept and a lone one becomes U+FFFD) and stops the reply at the store's content limit,
 * ending it with {@link #CUT_OFF}. What {@link #accept} and {@link #finish} return, concatenated,
 * is exactly {@link #text()}: the chunks people saw are the message that is stored. Not thread-safe
 * (the deltas of one reply arrive one at a time).
 */
final class ReplyText {
  /** Appended when a reply reaches the content limit. */
  static final String CUT_OFF = " [… the answer was cut off at the message size limit]";

  private final int maxLength;
  private final StringBuilder text = new StringBuilder();
  private int length; // code points in text
  private char pendingHigh; // a high surrogate held back, or 0
  private boolean full;

  ReplyText() {
    this(ChatLimits.CONTENT_MAX_LENGTH);
  }

  ReplyText(int maxLength) {
    this.maxLength = maxLength;
  }

  /** Takes a delta; returns the part to send now (may be empty). */
  String accept(String delta) {
    if (full) {
      return "";
    }
    StringBuilder out = new StringBuilder(delta.length() + 1);
    int limit = maxLength - CUT_OFF.length();
    for (int i = 0; i < delta.length(); i++) {
      char c = delta.charAt(i);
      if (pendingHigh != 0) {
        char high = pendingHigh;
        pendingHigh = 0;
        if (Character.isLowSurrogate(c)) {
          if (!append(out, String.valueOf(new char[] {high, c}), limit)) {
            return cut(out);
          }
          continue;
        }
        if (!append(out, "\uFFFD", limit)) {
          return cut(out);
        }
      }
      if (Character.isHighSurrogate(c)) {
        pendingHigh = c;
        continue;
      }
      String piece = c == '\0' || Character.isLowSurrogate(c) ? "\uFFFD" : String.valueOf(c);
      if (!append(out, piece, limit)) {
        return cut(out);
      }
    }
    return out.toString();
  }

  /** Whether the reply reached the limit (nothing more is taken). */
  boolean full() {
    return full;
  }

  /** Ends the reply; returns what was held back (a lone high surrogate as U+FFFD), or "". */
  String finish() {
    if (pendingHigh != 0 && !full) {
      pendingHigh = 0;
      StringBuilder out = new StringBuilder();
      if (!append(out, "\uFFFD", maxLength - CUT_OFF.length())) {
        return cut(out);
      }
      return out.toString();
    }
    return "";
  }

  /** The reply so far. */
  String text() {
    return text.toString();
  }

  /** Characters (code points) so far. */
  int length() {
    return length;
  }

  private boolean append(StringBuilder out, String piece, int limit) {
    if (length + 1 > limit) {
      return false;
    }
    out.append(piece);
    text.append(piece);
    length++;
    return true;
  }

  private String cut(StringBuilder out) {
    full = true;
    pendingHigh = 0;
    out.append(CUT_OFF);
    text.append(CUT_OFF);
    length += CUT_OFF.codePointCount(0, CUT_OFF.length());
    return out.toString();
  }
}
