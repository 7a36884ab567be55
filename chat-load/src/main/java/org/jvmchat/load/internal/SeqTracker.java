package org.jvmchat.load.internal;

import java.util.BitSet;

/**
 * What one receiver got from one sender: a bit per sequence number. A second arrival of a number is
 * a duplicate; a number below the sender's final count that never arrived is lost. Confined to one
 * thread (the receiver's event loop).
 */
public final class SeqTracker {
  private final BitSet seen = new BitSet();
  private long distinct;
  private long duplicated;

  /** Records one arrival; false when it is a duplicate. */
  public boolean add(long seq) {
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence number out of range: " + seq);
    }
    int i = (int) seq;
    if (seen.get(i)) {
      duplicated++;
      return false;
    }
    seen.set(i);
    distinct++;
    return true;
  }

  public long distinct() {
    return distinct;
  }

  public long duplicated() {
    return duplicated;
  }

  /** Numbers in {@code [0, expected)} that never arrived. */
  public long lost(long expected) {
    if (expected <= 0) {
      return 0;
    }
    int upTo = (int) Math.min(expected, Integer.MAX_VALUE);
    return upTo - seen.get(0, upTo).cardinality();
  }
}
