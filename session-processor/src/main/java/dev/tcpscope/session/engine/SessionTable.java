package dev.tcpscope.session.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The sessions of one observer held in memory, as {@code analyze} and the tests use them: a
 * hash lookup per segment (cost independent of the number of open sessions, unlike miruo's
 * list walk) and timeouts on the capture clock through a timing wheel of one-second buckets,
 * each session linked into the bucket of its deadline (relinked in O(1) when activity moves
 * it), so the clock's advance costs what expires, not what exists.
 *
 * <p>Memory is bounded by the limits: at most -L open sessions (the engine refuses more), at
 * most -L ended ones waiting for late segments (the oldest goes first), -l kept segments; no
 * structure holds a session once its slot let go of it.
 */
public final class SessionTable {
  /** 1,024 one-second buckets: more than the longest deadline ahead (the 900 s idle timeout). */
  private static final int WHEEL_BITS = 10;

  private static final int WHEEL_MASK = (1 << WHEEL_BITS) - 1;

  private final SessionEngine engine;
  private final String observer;
  private final SlotIndex slots = new SlotIndex();
  private final Session[] wheel = new Session[1 << WHEEL_BITS];
  /** The last whole second of capture time whose bucket was processed. */
  private long wheelSecond = Long.MIN_VALUE;
  /**
   * Ended sessions kept for their late segments, oldest first: at most -L of them, so memory
   * stays bounded however fast connections come and go (the oldest marker goes first; a late
   * segment of it then starts a partial session).
   */
  private final ArrayDeque<Session> lingering = new ArrayDeque<>();
  private final int lingeringLimit;
  private final ConnectionSlot probe = new ConnectionSlot();
  private final List<Session> due = new ArrayList<>();
  private long clockUs = Long.MIN_VALUE;
  private String source = "";

  // Write-behind for a state store (the processor): what changed since the last drain.
  private boolean tracking;
  private final ArrayList<Session> changedSessions = new ArrayList<>();
  private final ArrayList<ConnectionSlot> removedSlots = new ArrayList<>();
  /** Sessions restored before the clock started: its first advance looks at every bucket. */
  private boolean restoredBeforeClock;

  /**
   * Receives what a state store must write for a slot: its session, or null when the slot is
   * empty now. The slot's key is {@link #SLOT_KEY_BYTES} bytes, the connection's endpoints in
   * canonical order (the same for both directions).
   */
  public interface StoreWriter {
    void write(byte[] slotKey, Session sessionOrNull);
  }

  /** Length of a slot key: two 16-byte addresses, two ports, the address length. */
  public static final int SLOT_KEY_BYTES = 37;

  public SessionTable(RuleSettings rules, String observer, Consumer<SessionReport> reports) {
    this.engine = new SessionEngine(rules, reports);
    this.observer = observer;
    this.lingeringLimit = rules.sessionLimit();
  }

  public EngineStats stats() {
    return engine.stats();
  }

  /** Records, from now on, which slots change, for {@link #drainChanges}. */
  public SessionTable trackChanges() {
    tracking = true;
    return this;
  }

  private void touched(Session s) {
    if (tracking && !s.storeDirty) {
      s.storeDirty = true;
      changedSessions.add(s);
    }
  }

  private void removed(ConnectionSlot key) {
    if (tracking) {
      removedSlots.add(key);
    }
  }

  /** Hands every slot changed since the last drain to the writer, once each. */
  public void drainChanges(StoreWriter writer) {
    for (ConnectionSlot key : removedSlots) {
      if (slots.get(key) == null) {
        writer.write(key.bytes(), null);
      }
    }
    for (Session s : changedSessions) {
      s.storeDirty = false;
      if (s.indexed) {
        writer.write(s.slotKey.bytes(), s);
      }
    }
    removedSlots.clear();
    changedSessions.clear();
  }

  /**
   * Puts a session read back from a state store into its slot again: on the clock (an overdue
   * one ends at the first clock advance), counted against the limits, waiting for late
   * segments if it had ended.
   */
  public void restore(Session s) {
    ConnectionSlot key = new ConnectionSlot();
    key.set(s.clientIp, s.clientPort, s.serverIp, s.serverPort, s.addressLength);
    slots.put(key, s);
    engine.resumed(s);
    if (s.ended()) {
      lingering.addLast(s);
    }
    link(s);
    restoredBeforeClock |= wheelSecond == Long.MIN_VALUE;
  }

  /** The slot key of a connection given by its endpoints, either side first. */
  public static byte[] slotKey(byte[] a, int aPort, byte[] b, int bPort) {
    ConnectionSlot key = new ConnectionSlot();
    key.set(a, aPort, b, bPort, a.length);
    return key.bytes();
  }

  /** Names where the following segments come from (the file being read). */
  public void source(String name) {
    this.source = name;
  }

  public void onSegment(Segment s) {
    advanceClock(s.tsUs);
    probe.set(s);
    Session current = slots.get(probe);
    if (current != null && clockUs > SessionEngine.nextDeadlineUs(current)) {
      // Its deadline passed within the current second: end it exactly, as if on time.
      current = expire(current);
    }
    boolean wasEnded = current != null && current.ended();
    Session next = engine.onSegment(current, s, observer, source);
    if (next != null) {
      touched(next);
    }
    if (next == current) {
      if (next != null) {
        reschedule(next);
        if (next.ended() && !wasEnded) {
          linger(next);
        }
      }
      return;
    }
    ConnectionSlot key;
    if (current != null) {
      key = current.slotKey;
      unlink(current);
    } else {
      key = probe.copy();
    }
    if (next == null) {
      slots.remove(current); // not null: next == current returned above
      removed(key);
    } else {
      slots.put(key, next);
      link(next);
      if (next.ended()) {
        linger(next);
      }
    }
  }

  /** Gives the session its turn on the clock now; returns what its slot holds afterwards. */
  private Session expire(Session session) {
    unlink(session);
    Session next = engine.onClock(session, clockUs);
    if (next == null) {
      slots.remove(session);
      removed(session.slotKey);
    } else {
      touched(next);
      link(next);
    }
    return next;
  }

  private void linger(Session ended) {
    slots.retire(ended);
    lingering.addLast(ended);
    while (!lingering.isEmpty()) {
      Session oldest = lingering.peekFirst();
      boolean waiting = oldest.indexed;
      if (waiting && lingering.size() <= lingeringLimit) {
        return;
      }
      lingering.pollFirst();
      if (waiting) {
        slots.remove(oldest);
        removed(oldest.slotKey);
        unlink(oldest);
      }
    }
  }

  /** Ended sessions currently kept for late segments (at most -L). */
  public int lingering() {
    int n = 0;
    for (Session s : lingering) {
      n += s.indexed ? 1 : 0;
    }
    return n;
  }

  /** Advances the capture clock, ending what timed out before {@code nowUs}. */
  public void advanceClock(long nowUs) {
    if (nowUs <= clockUs) {
      return;
    }
    clockUs = nowUs;
    long second = Math.floorDiv(nowUs, 1_000_000L);
    if (wheelSecond == Long.MIN_VALUE) {
      wheelSecond = second - 1;
      if (!restoredBeforeClock) {
        return;
      }
      // Restored sessions may be linked anywhere on the wheel: look at every bucket once.
      wheelSecond = second - 2 - WHEEL_MASK;
    }
    // Buckets of whole seconds gone by: every deadline in them is before nowUs.
    long last = second - 1;
    long first = Math.max(wheelSecond + 1, last - WHEEL_MASK);
    for (long sec = first; sec <= last; sec++) {
      int bucket = (int) (sec & WHEEL_MASK);
      for (Session s = wheel[bucket]; s != null; s = s.timerNext) {
        due.add(s);
      }
      wheel[bucket] = null;
    }
    wheelSecond = Math.max(wheelSecond, last);
    if (due.isEmpty()) {
      return;
    }
    due.sort((a, b) -> Long.compare(SessionEngine.nextDeadlineUs(a),
        SessionEngine.nextDeadlineUs(b)));
    for (Session s : due) {
      s.timerBucket = -1;
      s.timerPrev = null;
      s.timerNext = null;
    }
    for (Session s : due) {
      if (SessionEngine.nextDeadlineUs(s) < nowUs) {
        expire(s);
      } else {
        link(s); // activity moved its deadline on since it was linked
      }
    }
    due.clear();
  }

  /** Links the session into the bucket of its deadline. */
  private void link(Session s) {
    long deadline = SessionEngine.nextDeadlineUs(s);
    long second = Math.max(Math.floorDiv(deadline, 1_000_000L), wheelSecond + 1);
    int bucket = (int) (second & WHEEL_MASK);
    s.timerDueSecond = second;
    s.timerBucket = bucket;
    s.timerPrev = null;
    s.timerNext = wheel[bucket];
    if (s.timerNext != null) {
      s.timerNext.timerPrev = s;
    }
    wheel[bucket] = s;
  }

  private void unlink(Session s) {
    if (s.timerBucket < 0) {
      return;
    }
    if (s.timerPrev != null) {
      s.timerPrev.timerNext = s.timerNext;
    } else {
      wheel[s.timerBucket] = s.timerNext;
    }
    if (s.timerNext != null) {
      s.timerNext.timerPrev = s.timerPrev;
    }
    s.timerPrev = null;
    s.timerNext = null;
    s.timerBucket = -1;
  }

  /** A deadline that moved earlier (a close began) moves buckets; a later one waits for its turn. */
  private void reschedule(Session s) {
    if (s.timerBucket < 0) {
      link(s);
    } else if (Math.floorDiv(SessionEngine.nextDeadlineUs(s), 1_000_000L) < s.timerDueSecond) {
      unlink(s);
      link(s);
    }
  }

  /** The capture ended: sessions still open are reported when a rule applies to them. */
  public void endOfCapture() {
    endOfCapture(null);
  }

  /**
   * The capture of {@code source} ended (null: every source): its sessions still open are
   * reported when a rule applies to them, and its slots are emptied.
   */
  public void endOfCapture(String ofSource) {
    ArrayList<Session> ending = slots.sessions();
    if (ofSource != null) {
      ending.removeIf(s -> !ofSource.equals(s.source));
    }
    ending.sort((a, b) -> Long.compare(a.startUs, b.startUs));
    for (Session s : ending) {
      engine.onEndOfCapture(s);
      unlink(s);
      slots.remove(s);
      removed(s.slotKey);
    }
    lingering.removeIf(s -> !s.indexed);
  }

  public int size() {
    return slots.size();
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
      // murmur3's finaliser: every input bit reaches the low bits SlotIndex uses
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      // never 0, which marks an empty entry in SlotIndex; the top bit is above any index mask
      hash = (int) h | 0x8000_0000;
    }

    // One big-endian load each instead of a load, a mask and a shift per byte: the slot is set
    // for every segment.
    private static final VarHandle BIG_ENDIAN_INT =
        MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BIG_ENDIAN_LONG =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static int readInt(byte[] b) {
      return (int) BIG_ENDIAN_INT.get(b, 0);
    }

    private static long readLong(byte[] b, int at) {
      return (long) BIG_ENDIAN_LONG.get(b, at);
    }

    /** The canonical endpoints as {@link #SLOT_KEY_BYTES} bytes: addresses, ports, length. */
    byte[] bytes() {
      byte[] b = new byte[SLOT_KEY_BYTES];
      putLong(b, 0, lowHi);
      putLong(b, 8, lowLo);
      putLong(b, 16, highHi);
      putLong(b, 24, highLo);
      int lowPort = (int) (meta >>> 32);
      int highPort = (int) ((meta >>> 8) & 0xffff);
      b[32] = (byte) (lowPort >>> 8);
      b[33] = (byte) lowPort;
      b[34] = (byte) (highPort >>> 8);
      b[35] = (byte) highPort;
      b[36] = (byte) meta;
      return b;
    }

    private static void putLong(byte[] b, int at, long v) {
      for (int i = 7; i >= 0; i--) {
        b[at + i] = (byte) v;
        v >>>= 8;
      }
    }

    /** Makes {@code s} the occupant of this slot: its key, inline too (see SlotIndex). */
    void occupiedBy(Session s) {
      s.slotKey = this;
      s.slotLowHi = lowHi;
      s.slotLowLo = lowLo;
      s.slotHighHi = highHi;
      s.slotHighLo = highLo;
      s.slotMeta = meta;
    }

    /**
     * True when {@code s} occupies this slot, by the fields {@link #occupiedBy} copied (the
     * index has compared the hash already).
     */
    boolean isSlotOf(Session s) {
      return s.slotLowLo == lowLo
          && s.slotHighLo == highLo
          && s.slotMeta == meta
          && s.slotLowHi == lowHi
          && s.slotHighHi == highHi;
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
