package dev.tcpscope.session.engine;

import dev.tcpscope.session.engine.SessionTable.ConnectionSlot;
import java.util.ArrayList;

/**
 * The session in each connection slot, in two tables: the open sessions, and the ended ones
 * waiting for late segments. Short connections leave many more of the second kind (up to -L,
 * 65,536 by default, against 10,000 open in {@code bench engine}); in one table they made the
 * table every segment probes eight times larger than the open sessions need, and its probes
 * cache misses (a quarter of the engine's time, JFR). Now a segment of an open session probes
 * the small table only; a new connection or a late segment probes both.
 *
 * <p>Each table is open addressing with linear probing over an array of hashes, beside the
 * array of sessions; a session whose hash matches is compared by the slot fields it carries
 * inline ({@link ConnectionSlot#occupiedBy}). A lookup reads the hashes and then the session it
 * wanted anyway, where a HashMap reads its table, a node and a key object before it; and a put
 * allocates nothing. Written here because the lookup was over a third of the engine's time at
 * 10,000 open sessions (JFR of {@code bench engine}), nearly all of it cache misses.
 */
final class SlotIndex {
  /** Sessions not ended: nearly every segment is looked up here, in a table sized for them. */
  private final ProbeTable open = new ProbeTable();
  /** Ended sessions waiting for late segments (up to -L of them, often many more than open). */
  private final ProbeTable ended = new ProbeTable();

  int size() {
    return open.size() + ended.size();
  }

  /** The session in {@code key}'s slot, or null. */
  Session get(ConnectionSlot key) {
    Session s = open.get(key);
    return s != null || ended.size() == 0 ? s : ended.get(key);
  }

  /** Puts the session in {@code key}'s slot (replacing what was there), and tells it so. */
  void put(ConnectionSlot key, Session session) {
    key.occupiedBy(session);
    boolean retired = session.ended();
    ProbeTable other = retired ? open : ended;
    if (other.size() > 0) {
      other.remove(key); // the slot's occupant until now may be in the other table
    }
    (retired ? ended : open).put(key, session);
    session.retired = retired;
  }

  /** Moves a session that ended in its slot to the ended sessions' table (no-op otherwise). */
  void retire(Session session) {
    if (session.indexed && !session.retired && session.ended()) {
      open.remove(session.slotKey);
      ended.put(session.slotKey, session);
      session.retired = true;
    }
  }

  /**
   * Takes the session out of its slot (no-op when the index no longer holds it), probing only
   * the table it is in ({@code retired} says which while it is indexed): a waiting session that
   * makes room for a newer one would otherwise first miss in the open sessions' table, a cache
   * miss of its own (7 % of the engine, JFR).
   */
  void remove(Session session) {
    if (session.indexed) {
      (session.retired ? ended : open).remove(session.slotKey);
    }
  }

  /** Every session in a slot, in no particular order. */
  ArrayList<Session> sessions() {
    ArrayList<Session> all = new ArrayList<>(size());
    open.addTo(all);
    ended.addTo(all);
    return all;
  }

  /** One table: linear probing, backward-shift deletion, at most half full. */
  private static final class ProbeTable {
    private static final int MIN_CAPACITY = 64;
    private static final int EMPTY = 0;

    private Session[] table = new Session[MIN_CAPACITY];
    // Each occupant's hash beside the array (EMPTY where none; ConnectionSlot's hash is never 0):
    // probes and the moves of a deletion read these four bytes each, sixteen to a cache line,
    // instead of a reference and a session each, which are cache misses when ended sessions wait
    // in the index by the tens of thousands.
    private int[] hashes = new int[MIN_CAPACITY];
    private int mask = MIN_CAPACITY - 1;
    private int size;

    int size() {
      return size;
    }

    /** The session in {@code key}'s slot, or null. */
    Session get(ConnectionSlot key) {
      int[] h = hashes;
      int hash = key.hashCode();
      for (int i = hash & mask; ; i = (i + 1) & mask) {
        int entry = h[i];
        if (entry == EMPTY) {
          return null;
        }
        if (entry == hash) {
          Session s = table[i];
          if (key.isSlotOf(s)) {
            return s;
          }
        }
      }
    }

    /** Puts the session in {@code key}'s slot (replacing what was there), and tells it so. */
    void put(ConnectionSlot key, Session session) {
      int[] h = hashes;
      int hash = key.hashCode();
      for (int i = hash & mask; ; i = (i + 1) & mask) {
        int entry = h[i];
        if (entry == EMPTY) {
          table[i] = session;
          h[i] = hash;
          session.indexed = true;
          if (++size > (mask + 1) / 2) {
            grow(); // at most half full: probes stay short
          }
          return;
        }
        if (entry == hash) {
          Session s = table[i];
          if (key.isSlotOf(s)) {
            s.indexed = false;
            table[i] = session;
            session.indexed = true;
            return;
          }
        }
      }
    }

    /** Empties the slot; false when it was empty. */
    boolean remove(ConnectionSlot key) {
      Session[] t = table;
      int[] h = hashes;
      int hash = key.hashCode();
      int i = hash & mask;
      while (true) {
        int entry = h[i];
        if (entry == EMPTY) {
          return false;
        }
        if (entry == hash && key.isSlotOf(t[i])) {
          t[i].indexed = false;
          break;
        }
        i = (i + 1) & mask;
      }
      // Backward-shift deletion (Knuth's algorithm R): no tombstones, so lookups of absent keys
      // stop at the first empty slot however many removals came before.
      for (int j = (i + 1) & mask; h[j] != EMPTY; j = (j + 1) & mask) {
        int home = h[j] & mask;
        boolean staysAfterGap = i < j ? home > i && home <= j : home > i || home <= j;
        if (!staysAfterGap) {
          t[i] = t[j];
          h[i] = h[j];
          i = j;
        }
      }
      t[i] = null;
      h[i] = EMPTY;
      size--;
      return true;
    }

    void addTo(ArrayList<Session> all) {
      for (Session s : table) {
        if (s != null) {
          all.add(s);
        }
      }
    }

    private void grow() {
      Session[] old = table;
      int[] oldHashes = hashes;
      table = new Session[old.length * 2];
      hashes = new int[old.length * 2];
      mask = table.length - 1;
      for (int k = 0; k < old.length; k++) {
        if (oldHashes[k] != EMPTY) {
          int i = oldHashes[k] & mask;
          while (hashes[i] != EMPTY) {
            i = (i + 1) & mask;
          }
          table[i] = old[k];
          hashes[i] = oldHashes[k];
        }
      }
    }
  }
}
