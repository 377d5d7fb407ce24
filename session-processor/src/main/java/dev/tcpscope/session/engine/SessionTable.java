package dev.tcpscope.session.engine;

import java.util.ArrayList;
import java.util.Arrays;
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
  private final ConnectionSlot probe = new ConnectionSlot();
  private long clockUs = Long.MIN_VALUE;
  private String source = "";

  public SessionTable(RuleSettings rules, String observer, Consumer<SessionReport> reports) {
    this.engine = new SessionEngine(rules, reports);
    this.observer = observer;
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
    Session next = engine.onSegment(current, s, observer, source);
    if (next == current) {
      if (next != null) {
        schedule(probe, next);
      }
      return;
    }
    ConnectionSlot key = current != null ? keyOf(current) : probe.copy();
    if (next == null) {
      slots.remove(key);
    } else {
      slots.put(key, next);
      schedule(key, next);
    }
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
  }

  public int size() {
    return slots.size();
  }

  private record Deadline(long atUs, ConnectionSlot slot, Session session) implements Comparable<Deadline> {
    @Override
    public int compareTo(Deadline other) {
      return Long.compare(atUs, other.atUs);
    }
  }

  /** A connection's two endpoints in canonical order, as the map key. */
  static final class ConnectionSlot {
    private final byte[] low = new byte[16];
    private final byte[] high = new byte[16];
    private int lowPort;
    private int highPort;
    private int length;
    private int hash;

    void set(Segment s) {
      set(s.srcIp, s.srcPort, s.dstIp, s.dstPort, s.addressLength);
    }

    void set(byte[] a, int aPort, byte[] b, int bPort, int addressLength) {
      int order = Arrays.compareUnsigned(a, 0, addressLength, b, 0, addressLength);
      boolean aLow = order < 0 || (order == 0 && aPort <= bPort);
      System.arraycopy(aLow ? a : b, 0, low, 0, addressLength);
      System.arraycopy(aLow ? b : a, 0, high, 0, addressLength);
      lowPort = aLow ? aPort : bPort;
      highPort = aLow ? bPort : aPort;
      length = addressLength;
      long h = ((long) lowPort << 16) ^ highPort;
      for (int i = 0; i < addressLength; i += 4) {
        h = h * 0x9E3779B97F4A7C15L + (readInt(low, i) ^ ((long) readInt(high, i) << 32));
      }
      // murmur3's finaliser: every input bit reaches the bits HashMap uses for its buckets
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      hash = (int) h;
    }

    private static int readInt(byte[] b, int at) {
      return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
          | (b[at + 3] & 0xff);
    }

    ConnectionSlot copy() {
      ConnectionSlot c = new ConnectionSlot();
      c.set(low, lowPort, high, highPort, length);
      return c;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ConnectionSlot other
          && other.hash == hash
          && other.lowPort == lowPort
          && other.highPort == highPort
          && other.length == length
          && Arrays.equals(low, 0, length, other.low, 0, length)
          && Arrays.equals(high, 0, length, other.high, 0, length);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
