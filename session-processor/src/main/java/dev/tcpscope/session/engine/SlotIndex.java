package dev.tcpscope.session.engine;

import dev.tcpscope.session.engine.SessionTable.ConnectionSlot;
import java.util.ArrayList;

/**
 * The session in each connection slot: open addressing with linear probing, each key beside
 * its session in one array. A lookup reads the array once and the key once, where a HashMap
 * reads its table, a node and the key; and a put allocates nothing. Written here because the
 * lookup was over a third of the engine's time at 10,000 open sessions (JFR of {@code bench
 * engine}), nearly all of it cache misses on HashMap's chains.
 */
final class SlotIndex {
  private static final int MIN_CAPACITY = 64;

  /** Slot {@code i}'s key at {@code 2i}, its session at {@code 2i + 1}; null: empty. */
  private Object[] table = new Object[2 * MIN_CAPACITY];
  private int mask = MIN_CAPACITY - 1;
  private int size;

  int size() {
    return size;
  }

  /** The session in {@code key}'s slot, or null. */
  Session get(ConnectionSlot key) {
    Object[] t = table;
    for (int i = key.hashCode() & mask; ; i = (i + 1) & mask) {
      Object k = t[2 * i];
      if (k == null) {
        return null;
      }
      if (k == key || k.equals(key)) {
        return (Session) t[2 * i + 1];
      }
    }
  }

  /** Puts the session in the slot; a key already there stays, as in a HashMap. */
  void put(ConnectionSlot key, Session session) {
    Object[] t = table;
    for (int i = key.hashCode() & mask; ; i = (i + 1) & mask) {
      Object k = t[2 * i];
      if (k == null) {
        t[2 * i] = key;
        t[2 * i + 1] = session;
        if (++size > (mask + 1) / 2) {
          grow(); // at most half full: probes stay short
        }
        return;
      }
      if (k == key || k.equals(key)) {
        t[2 * i + 1] = session;
        return;
      }
    }
  }

  /** Empties the slot (no-op when it is empty). */
  void remove(ConnectionSlot key) {
    Object[] t = table;
    int i = key.hashCode() & mask;
    while (true) {
      Object k = t[2 * i];
      if (k == null) {
        return;
      }
      if (k == key || k.equals(key)) {
        break;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (Knuth's algorithm R): no tombstones, so lookups of absent keys
    // stop at the first empty slot however many removals came before.
    for (int j = (i + 1) & mask; t[2 * j] != null; j = (j + 1) & mask) {
      int home = t[2 * j].hashCode() & mask;
      boolean staysAfterGap = i < j ? home > i && home <= j : home > i || home <= j;
      if (!staysAfterGap) {
        t[2 * i] = t[2 * j];
        t[2 * i + 1] = t[2 * j + 1];
        i = j;
      }
    }
    t[2 * i] = null;
    t[2 * i + 1] = null;
    size--;
  }

  /** Every session in a slot, in no particular order. */
  ArrayList<Session> sessions() {
    ArrayList<Session> all = new ArrayList<>(size);
    for (int i = 1; i < table.length; i += 2) {
      if (table[i] != null) {
        all.add((Session) table[i]);
      }
    }
    return all;
  }

  private void grow() {
    Object[] old = table;
    table = new Object[old.length * 2];
    mask = table.length / 2 - 1;
    size = 0;
    for (int i = 0; i < old.length; i += 2) {
      if (old[i] != null) {
        put((ConnectionSlot) old[i], (Session) old[i + 1]);
      }
    }
  }
}
