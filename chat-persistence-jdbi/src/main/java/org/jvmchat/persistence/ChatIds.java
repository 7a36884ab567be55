package org.jvmchat.persistence;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Room and message ids: UUID version 7 (RFC 9562) in canonical lowercase form, e.g. {@code
 * 0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d}. They start with the creation time in milliseconds, so they
 * sort roughly by age and index well, and they can be made before a row is stored (the assistant's
 * streamed reply announces its message id first). Ids are not secrets: access is checked by the
 * server, not by hiding ids.
 */
public final class ChatIds {

  private ChatIds() {}

  /** Milliseconds shifted left by 12, plus a 12-bit counter (RFC 9562, method 1). */
  private static final AtomicLong LAST = new AtomicLong();

  /**
   * A new time-ordered id. Ids made by one process increase strictly (a counter orders the ids of
   * one millisecond), so they sort in creation order.
   */
  public static String newId() {
    return newUuid().toString();
  }

  /** {@link #newId()} as a {@link UUID} (no string made and parsed back). */
  public static UUID newUuid() {
    long timeAndCounter;
    while (true) {
      long previous = LAST.get();
      long now = System.currentTimeMillis() << 12;
      timeAndCounter = now > previous ? now : previous + 1;
      if (LAST.compareAndSet(previous, timeAndCounter)) {
        break;
      }
    }
    long msb = ((timeAndCounter >>> 12) << 16) | 0x7000L | (timeAndCounter & 0x0FFFL);
    long lsb =
        (ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }

  /** Whether {@code id} has the canonical form of an id (any UUID, lowercase, with hyphens). */
  public static boolean isValid(String id) {
    if (id == null || id.length() != 36) {
      return false;
    }
    // By hand: this runs for every message (a room id), and a regex match costs ten times more.
    for (int i = 0; i < 36; i++) {
      char c = id.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks the form of an id.
   *
   * @return {@code id}
   * @throws IllegalArgumentException naming {@code field} when {@code id} is not a canonical id
   */
  public static String requireValid(String field, String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          field + " must be an id like 0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d (was " + id + ")");
    }
    return id;
  }
}
