package org.jvmchat.load.ceiling;

import java.util.Arrays;

/**
 * A room's members, partitioned by event loop: one slot per loop, holding that loop's JSON members
 * and its MessagePack members in two arrays. Only the owning loop changes a slot (a connection
 * joins and leaves on its own loop) and only it walks the arrays to deliver; other loops read no
 * more than whether a slot is empty, to decide whether it gets a task at all. The arrays are
 * replaced on every change (copy on write), so a delivery walks a fixed snapshot even if a write
 * closes a member and it leaves while the walk is under way.
 */
final class Room {
  private static final Member[] NONE = {};

  /** One loop's members of this room. */
  static final class Slot {
    volatile Member[] json = NONE;
    volatile Member[] binary = NONE;

    boolean isEmpty() {
      return json.length == 0 && binary.length == 0;
    }
  }

  private final Slot[] slots;

  Room(int loops) {
    slots = new Slot[loops];
    for (int i = 0; i < loops; i++) {
      slots[i] = new Slot();
    }
  }

  Slot slot(int loop) {
    return slots[loop];
  }

  /** On {@code m}'s loop. */
  void join(Member m) {
    Slot s = slots[m.loop().index()];
    if (m.binary()) {
      s.binary = added(s.binary, m);
    } else {
      s.json = added(s.json, m);
    }
  }

  /** On {@code m}'s loop. */
  void leave(Member m) {
    Slot s = slots[m.loop().index()];
    if (m.binary()) {
      s.binary = removed(s.binary, m);
    } else {
      s.json = removed(s.json, m);
    }
  }

  /** Whether any loop's slot holds a JSON (MessagePack) member: a racy hint, read once per send. */
  boolean has(boolean binary) {
    for (Slot s : slots) {
      if ((binary ? s.binary : s.json).length > 0) {
        return true;
      }
    }
    return false;
  }

  private static Member[] added(Member[] a, Member m) {
    Member[] b = Arrays.copyOf(a, a.length + 1);
    b[a.length] = m;
    return b;
  }

  private static Member[] removed(Member[] a, Member m) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == m) {
        Member[] b = new Member[a.length - 1];
        System.arraycopy(a, 0, b, 0, i);
        System.arraycopy(a, i + 1, b, i, a.length - i - 1);
        return b;
      }
    }
    return a;
  }
}
