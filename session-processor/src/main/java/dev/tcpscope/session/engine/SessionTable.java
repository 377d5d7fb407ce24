package dev.tcpscope.session.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The sessions of one observer held in memory, as {@code analyze} and the tests use them:
 * a hash lookup per segment (cost independent of the number of open sessions, unlike miruo's
 * list walk) and timeouts on the capture clock, checked through a deadline queue so a sweep
 * costs what expires, not what exists.
 */
public final class SessionTable {
  private final SessionEngine engine;
  private final String observer;
  private final Map<ConnectionSlot, Session> slots = new HashMap<>();
  private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
  /**
   * Ended sessions kept for their late segments, oldest first: at most -L of them, so memory
   * stays bounded by the limits however fast connections come and go (the oldest marker goes
   * first; a late segment of it then starts a partial session).
   */
  private final ArrayDeque<Deadline> lingering = new ArrayDeque<>();
  private final int lingeringLimit;
  private final ConnectionSlot probe = new ConnectionSlot();
  private long clockUs = Long.MIN_VALUE;
  private String source = "";

  public SessionTable(RuleSettings rules, String observer, Consumer<SessionReport> reports) {
    this.engine = new SessionEngine(rules, reports);
    this.observer = observer;
    this.lingeringLimit = rules.sessionLimit();
  }

  public EngineStats stats() {
    return engine.stats();
  }

  /** Names where the following segments come from (the file being read). */
  public void source(String name) {
    this.source = name;
  }

  public void onSegment(Segment s) {
    advanceClock(s.tsUs);
    probe.set(s);
    Session current = slots.get(probe);
    boolean wasEnded = current != null && current.ended();
    Session next = engine.onSegment(current, s, observer, source);
    if (next == current) {
      if (next != null) {
        schedule(probe, next);
        if (next.ended() && !wasEnded) {
          linger(keyOf(next), next);
        }
      }
      return;
    }
    ConnectionSlot key = current != null ? keyOf(current) : probe.copy();
    if (next == null) {
      slots.remove(key);
    } else {
      slots.put(key, next);
      schedule(key, next);
      if (next.ended()) {
        linger(key, next);
      }
    }
  }

  private void linger(ConnectionSlot key, Session ended) {
    lingering.addLast(new Deadline(0, key, ended));
    while (lingering.size() > lingeringLimit) {
      Deadline oldest = lingering.pollFirst();
      if (slots.get(oldest.slot) == oldest.session) {
        slots.remove(oldest.slot);
      }
    }
  }

  /** Ended sessions currently kept for late segments (at most -L). */
  public int lingering() {
    int n = 0;
    for (Deadline d : lingering) {
      n += slots.get(d.slot) == d.session ? 1 : 0;
    }
    return n;
  }

  private ConnectionSlot keyOf(Session s) {
    ConnectionSlot key = new ConnectionSlot();
    key.set(s.clientIp, s.clientPort, s.serverIp, s.serverPort, s.addressLength);
    return key;
  }

  /** Advances the capture clock, ending what timed out before {@code nowUs}. */
  public void advanceClock(long nowUs) {
    if (nowUs <= clockUs) {
      return;
    }
    clockUs = nowUs;
    while (!deadlines.isEmpty() && deadlines.peek().atUs < nowUs) {
      Deadline due = deadlines.poll();
      Session current = slots.get(due.slot);
      if (current != due.session) {
        continue; // the slot moved on to another session, which has its own entry
      }
      long deadline = SessionEngine.nextDeadlineUs(current);
      if (deadline >= nowUs) {
        // Activity moved the deadline on since this entry was queued: requeue it.
        deadlines.add(new Deadline(deadline, due.slot, current));
        continue;
      }
      Session next = engine.onClock(current, nowUs);
      if (next == null) {
        slots.remove(due.slot);
      } else {
        deadlines.add(new Deadline(SessionEngine.nextDeadlineUs(next), due.slot, next));
      }
    }
  }

  private void schedule(ConnectionSlot key, Session session) {
    // One entry per session suffices: a stale one is requeued when it comes due.
    if (session.queued) {
      return;
    }
    session.queued = true;
    deadlines.add(
        new Deadline(SessionEngine.nextDeadlineUs(session), key == probe ? key.copy() : key, session));
  }

  /** The capture ended: sessions still open are reported when a rule applies to them. */
  public void endOfCapture() {
    ArrayList<Session> open = new ArrayList<>(slots.values());
    open.sort((a, b) -> Long.compare(a.startUs, b.startUs));
    for (Session s : open) {
      engine.onEndOfCapture(s);
    }
    slots.clear();
    deadlines.clear();
    lingering.clear();
  }

  public int size() {
    return slots.size();
  }

  /** When a session's slot next needs a look (a plain class: heap walkers cannot read records). */
  private static final class Deadline implements Comparable<Deadline> {
    final long atUs;
    final ConnectionSlot slot;
    final Session session;

    Deadline(long atUs, ConnectionSlot slot, Session session) {
      this.atUs = atUs;
      this.slot = slot;
      this.session = session;
    }

    @Override
    public int compareTo(Deadline other) {
      return Long.compare(atUs, other.atUs);
    }
  }

  /**
   * A connection's two endpoints in canonical order, as the map key: each address as two
   * longs (IPv4 in the low one), so hashing and comparing are a few arithmetic operations.
   */
  static final class ConnectionSlot {
    private long lowHi;
    private long lowLo;
    private long highHi;
    private long highLo;
    /** Ports and address length: lowPort << 32 | highPort << 8 | length. */
    private long meta;
    private int hash;

    void set(Segment s) {
      set(s.srcIp, s.srcPort, s.dstIp, s.dstPort, s.addressLength);
    }

    void set(byte[] a, int aPort, byte[] b, int bPort, int addressLength) {
      boolean v6 = addressLength == 16;
      long aHi = v6 ? readLong(a, 0) : 0;
      long aLo = v6 ? readLong(a, 8) : readInt(a) & 0xffffffffL;
      long bHi = v6 ? readLong(b, 0) : 0;
      long bLo = v6 ? readLong(b, 8) : readInt(b) & 0xffffffffL;
      int order = Long.compareUnsigned(aHi, bHi);
      if (order == 0) {
        order = Long.compareUnsigned(aLo, bLo);
      }
      boolean aLow = order < 0 || (order == 0 && aPort <= bPort);
      lowHi = aLow ? aHi : bHi;
      lowLo = aLow ? aLo : bLo;
      highHi = aLow ? bHi : aHi;
      highLo = aLow ? bLo : aLo;
      meta = ((long) (aLow ? aPort : bPort) << 32) | ((long) (aLow ? bPort : aPort) << 8)
          | addressLength;
      long h = lowLo * 0x9E3779B97F4A7C15L + highLo;
      h = h * 0x9E3779B97F4A7C15L + (lowHi ^ (highHi * 31));
      h = h * 0x9E3779B97F4A7C15L + meta;
      // murmur3's finaliser: every input bit reaches the bits HashMap uses for its buckets
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      hash = (int) h;
    }

    private static int readInt(byte[] b) {
      return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static long readLong(byte[] b, int at) {
      long v = 0;
      for (int i = at; i < at + 8; i++) {
        v = (v << 8) | (b[i] & 0xff);
      }
      return v;
    }

    ConnectionSlot copy() {
      ConnectionSlot c = new ConnectionSlot();
      c.lowHi = lowHi;
      c.lowLo = lowLo;
      c.highHi = highHi;
      c.highLo = highLo;
      c.meta = meta;
      c.hash = hash;
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ConnectionSlot other
          && other.hash == hash
          && other.lowLo == lowLo
          && other.highLo == highLo
          && other.meta == meta
          && other.lowHi == lowHi
          && other.highHi == highHi;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
