package dev.tcpscope.session.engine;

import dev.tcpscope.session.engine.SessionTable.ConnectionSlot;
import java.util.ArrayList;

/**
 * The session in each connection slot: open addressing with linear probing over an array of
 * sessions, each compared by the slot fields it carries inline ({@link
 * ConnectionSlot#occupiedBy}). A lookup reads the array once and then the session it wanted
 * anyway, where a HashMap reads its table, a node and a key object before it; and a put
 * allocates nothing. Written here because the lookup was over a third of the engine's time at
 * 10,000 open sessions (JFR of {@code bench engine}), nearly all of it cache misses.
 */
final class SlotIndex {
  private static final int MIN_CAPACITY = 64;

  private Session[] table = new Session[MIN_CAPACITY];
  private int mask = MIN_CAPACITY - 1;
  private int size;

  int size() {
    return size;
  }

  /** The session in {@code key}'s slot, or null. */
  Session get(ConnectionSlot key) {
    Session[] t = table;
    for (int i = key.hashCode() & mask; ; i = (i + 1) & mask) {
      Session s = t[i];
      if (s == null || key.isSlotOf(s)) {
        return s;
      }
    }
  }

  /** Puts the session in {@code key}'s slot (replacing what was there), and tells it so. */
  void put(ConnectionSlot key, Session session) {
    key.occupiedBy(session);
    Session[] t = table;
    for (int i = key.hashCode() & mask; ; i = (i + 1) & mask) {
      Session s = t[i];
      if (s == null) {
        t[i] = session;
        if (++size > (mask + 1) / 2) {
          grow(); // at most half full: probes stay short
        }
        return;
      }
      if (key.isSlotOf(s)) {
        t[i] = session;
        return;
      }
    }
  }

  /** Empties the slot (no-op when it is empty). */
  void remove(ConnectionSlot key) {
    Session[] t = table;
    int i = key.hashCode() & mask;
    while (true) {
      Session s = t[i];
      if (s == null) {
        return;
      }
      if (key.isSlotOf(s)) {
        break;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (Knuth's algorithm R): no tombstones, so lookups of absent keys
    // stop at the first empty slot however many removals came before.
    for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
      int home = t[j].slotHash & mask;
      boolean staysAfterGap = i < j ? home > i && home <= j : home > i || home <= j;
      if (!staysAfterGap) {
        t[i] = t[j];
        i = j;
      }
    }
    t[i] = null;
    size--;
  }

  /** Every session in a slot, in no particular order. */
  ArrayList<Session> sessions() {
    ArrayList<Session> all = new ArrayList<>(size);
    for (Session s : table) {
      if (s != null) {
        all.add(s);
      }
    }
    return all;
  }

  private void grow() {
    Session[] old = table;
    table = new Session[old.length * 2];
    mask = table.length - 1;
    for (Session s : old) {
      if (s != null) {
        int i = s.slotHash & mask;
        while (table[i] != null) {
          i = (i + 1) & mask;
        }
        table[i] = s;
      }
    }
  }
}
