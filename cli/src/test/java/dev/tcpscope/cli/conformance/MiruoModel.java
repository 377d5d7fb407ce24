package dev.tcpscope.cli.conformance;

import dev.tcpscope.cli.conformance.CorpusRun.Packet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What miruo (KLab, the last release) does with a capture file, replayed on our decoded
 * segments so that the conformance tests can compute, rather than assume, each known miruo
 * mistake: the copies its retransmission rule drops from the counts, the sessions its RST
 * decision hides, the copies it takes for retransmissions (keep-alives, repeated ACKs, wrapped
 * sequence numbers), the sessions it cannot see (IPv6, VLAN, SYN with ECN bits), the sessions
 * still open at the end of the file it never prints, and where it stops for good (a TCP option
 * of length 0 or 1 in a printed segment).
 *
 * <p>It follows miruo.c: the session list with its "flags == SYN" start, the identical-segment
 * retransmission search over the kept segments (with the 2,048-segment pruning), the -r/-S
 * thresholds, fragment and long-delay marks, the per-side state machine, the RST decision that
 * replaces earlier marks, the long-connect check at close, the "Duplicate connection" break,
 * the -L/-l limits, and no timeouts in file mode.
 */
final class MiruoModel {
  static final int LISTEN = 1;
  static final int SYN_SENT = 2;
  static final int SYN_RECV = 3;
  static final int EST = 4;
  static final int FIN_WAIT1 = 5;
  static final int FIN_WAIT2 = 6;
  static final int CLOSE_WAIT = 7;
  static final int LAST_ACK = 8;
  static final int CLOSED = 9;
  static final int TIME_WAIT = 10;

  private static final int SESSION_LIMIT = 1024;
  private static final int SEGMENT_LIMIT = 65536;

  /** miruo's options for one run. */
  record Options(int rstMode, long rtLimitMs, boolean synFind, boolean fragment, long ctLimitMs,
      long stLimitMs, boolean all) {}

  /** A retransmission miruo reported: the kept original and the copy. */
  record Copy(Packet original, Packet copy) {}

  static final class Kept {
    final Packet p;
    final int sno;
    int st0;
    int st1;
    boolean shown;
    boolean colored;

    Kept(Packet p, int sno) {
      this.p = p;
      this.sno = sno;
    }
  }

  /** One session as miruo tracked it. */
  static final class Sess {
    final String client;
    final String server;
    final long t0Us;
    final int synBytes;
    final List<Kept> kept = new ArrayList<>();
    /** Every segment of the session miruo looked at, kept or dropped, in capture order. */
    final List<Packet> seen = new ArrayList<>();
    /** Copies the retransmission rule dropped from every count (under -r, or -r 0, or -S 0). */
    final List<Packet> dropped = new ArrayList<>();
    /** Copies reported as retransmissions (at least -r late, or SYN copies with -S 1). */
    final List<Copy> reported = new ArrayList<>();
    /** Segments refused by the -l limit: not counted, and the state stays frozen. */
    int refused;
    long refusedBytes;
    int pkcnt = 1;
    int pkall = 1;
    long szall;
    final int[] st = {SYN_SENT, SYN_RECV};
    boolean view;
    /** Set by a RST under -R 0 or during close after something else had set {@link #view}. */
    boolean viewClearedByRst;
    Kept last;
    /** The segment after which miruo found the session closed (null: not closed). */
    Packet closedBy;
    /** close, duplicate (ended by a new SYN), open (still open at the end of the file). */
    String ending = "open";
    boolean printed;

    Sess(Packet syn) {
      client = syn.srcEndpoint();
      server = syn.dstEndpoint();
      t0Us = syn.tsUs();
      synBytes = syn.frameLength();
      Kept first = new Kept(syn, 0);
      first.st0 = SYN_SENT;
      first.st1 = SYN_RECV;
      first.shown = true;
      first.colored = true;
      kept.add(first);
      seen.add(syn);
    }

    long allBytes() {
      return szall + synBytes;
    }
  }

  private final Options opt;
  private final Map<String, Sess> active = new HashMap<>();
  final List<Sess> sessions = new ArrayList<>();
  int keptSegments;
  int droppedSessions;
  /** The SYNs whose session -L refused. */
  final List<Packet> droppedSyns = new ArrayList<>();
  /** The packet whose session miruo could not print (an option of length 0 or 1): it stops. */
  Packet stoppedAt;
  /** Segments miruo never reads: encapsulation or IP version it does not know. */
  int unreadable;

  MiruoModel(Options opt) {
    this.opt = opt;
  }

  static MiruoModel run(List<Packet> packets, Options opt) {
    MiruoModel model = new MiruoModel(opt);
    for (Packet p : packets) {
      if (model.stoppedAt != null) {
        break;
      }
      model.onPacket(p);
    }
    return model;
  }

  /** Whether miruo reads this segment at all. */
  static boolean readable(Packet p) {
    return p.ipVersion() == 4 && p.encapsulation() == null;
  }

  static String key(Packet p) {
    String a = p.srcEndpoint();
    String b = p.dstEndpoint();
    return a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
  }

  private void onPacket(Packet p) {
    if (!readable(p)) {
      unreadable++;
      return;
    }
    String key = key(p);
    Sess c = active.get(key);
    int flags8 = p.flags() & 0xff;
    boolean connect = false;
    if (flags8 == 0x02) {
      if (c == null) {
        c = add(key, p);
        if (c == null) {
          return;
        }
        connect = true;
      } else if (c.kept.get(0).p.seq() == p.seq() && c.kept.get(0).p.ack() == p.ack()) {
        // the same SYN again: handled below as a possible retransmission
      } else {
        destroy(key, c, "duplicate");
        if (stoppedAt != null) {
          return;
        }
        c = add(key, p);
        if (c == null) {
          return;
        }
        c.view = true; // miruo shows the session that follows a "Duplicate connection" break
        connect = true;
      }
    }
    if (c == null) {
      return;
    }
    if (!connect) {
      int sno = p.srcEndpoint().equals(c.client) ? 0 : 1;
      c.seen.add(p);
      Kept original = retransmitted(c, p);
      boolean flaggedCopy = false;
      if (original != null) {
        if (ignoredRetransmission(original.p, p)) {
          c.dropped.add(p);
          return;
        }
        c.view = true;
        c.reported.add(new Copy(original.p, p));
        original.shown = true;
        original.colored = true;
        boolean after = false;
        for (Kept k : c.kept) {
          if (after && !k.colored) {
            k.shown = true;
            k.colored = true;
          }
          after |= k == original;
        }
        flaggedCopy = true;
      }
      Kept s = addSegment(c, p, sno, flaggedCopy);
      if (s == null) {
        c.refused++;
        c.refusedBytes += p.frameLength();
        return;
      }
      setStatus(c, s);
    }
    if (closed(c)) {
      if (opt.all()) {
        c.view = true;
      }
      if (opt.ctLimitMs() > 0 && connectionTimeMs(c) > opt.ctLimitMs()) {
        c.view = true;
      }
      c.ending = "close";
      c.closedBy = c.seen.get(c.seen.size() - 1);
      finish(key, c);
    }
  }

  private Sess add(String key, Packet syn) {
    if (active.size() >= SESSION_LIMIT) {
      droppedSessions++;
      droppedSyns.add(syn);
      return null;
    }
    Sess s = new Sess(syn);
    active.put(key, s);
    sessions.add(s);
    return s;
  }

  private void destroy(String key, Sess c, String ending) {
    c.view = true;
    c.ending = ending;
    finish(key, c);
  }

  private void finish(String key, Sess c) {
    active.remove(key);
    keptSegments -= c.kept.size() - 1;
    if (c.view) {
      for (Kept k : c.kept) {
        if (k.shown && k.p.zeroOrOneLengthOption()) {
          stoppedAt = k.p; // tcp_opt_str never returns: nothing more is printed
          return;
        }
      }
      c.printed = true;
    }
  }

  private static Kept retransmitted(Sess c, Packet t) {
    for (Kept k : c.kept) {
      if (k.p.seq() == t.seq() && k.p.ack() == t.ack() && (k.p.flags() & 0xff) == (t.flags() & 0xff)
          && k.p.frameLength() == t.frameLength()) {
        return k;
      }
    }
    return null;
  }

  private boolean ignoredRetransmission(Packet original, Packet copy) {
    if ((original.flags() & 0x02) != 0) {
      return !opt.synFind();
    }
    if (opt.rtLimitMs() == 0) {
      return true;
    }
    long delayMs = Math.abs((copy.tsUs() - original.tsUs()) / 1000);
    return delayMs < opt.rtLimitMs();
  }

  private Kept addSegment(Sess c, Packet p, int sno, boolean colored) {
    if (keptSegments >= SEGMENT_LIMIT) {
      return null;
    }
    keptSegments++;
    Kept prev = c.last != null ? c.last : c.kept.get(0);
    Kept t = new Kept(p, sno);
    t.colored = colored;
    c.pkcnt++;
    c.pkall++;
    c.szall += p.frameLength();
    c.kept.add(t);
    c.last = t;
    t.st0 = c.st[sno];
    t.st1 = c.st[1 - sno];
    if (opt.fragment() && p.fragmented()) {
      c.view = true;
      t.colored = true;
    }
    if (opt.stLimitMs() > 0) {
      long gapUs = Math.max(0, p.tsUs() - prev.p.tsUs());
      if (gapUs / 1000 > opt.stLimitMs()) {
        c.view = true;
        prev.shown = true;
        t.colored = true;
      }
    }
    t.shown = t.colored;
    if (c.pkcnt > 2048) {
      // miruo prunes segments not to be shown, oldest first, down to fewer than 1,024
      for (int i = 1; i < c.kept.size(); ) {
        Kept k = c.kept.get(i);
        if (k.shown) {
          i++;
          continue;
        }
        c.kept.remove(i);
        if (c.last == k) {
          c.last = c.kept.get(i - 1);
        }
        keptSegments--;
        c.pkcnt--;
        if (c.pkcnt < 1024) {
          break;
        }
      }
      if (!c.kept.contains(t)) {
        return t; // pruned at once: still counted and still moves the states
      }
    }
    return t;
  }

  private void setStatus(Sess c, Kept s) {
    int st0 = s.st0;
    int st1 = s.st1;
    switch (s.p.flags() & 23) {
      case 2 -> {}
      case 16 -> {
        // miruo_tcp_ack
        if (st0 == EST && st1 == FIN_WAIT1) {
          st0 = CLOSE_WAIT;
          s.shown = true;
        } else if (st0 == FIN_WAIT2 && st1 == LAST_ACK) {
          st0 = TIME_WAIT;
          s.shown = true;
        }
        switch (st1) {
          case SYN_RECV -> {
            st1 = EST;
            s.shown = true;
          }
          case FIN_WAIT1 -> {
            st1 = FIN_WAIT2;
            s.shown = true;
          }
          case LAST_ACK -> {
            st1 = CLOSED;
            s.shown = true;
          }
          default -> {}
        }
      }
      case 18 -> {
        // miruo_tcp_synack
        s.shown = true;
        if (st1 == SYN_SENT) {
          st1 = EST;
        }
      }
      case 1 -> {
        // miruo_tcp_fin
        s.shown = true;
        if (st0 == EST) {
          st0 = FIN_WAIT1;
        } else if (st0 == CLOSE_WAIT) {
          st0 = LAST_ACK;
        }
        if (st1 == FIN_WAIT2) {
          st1 = TIME_WAIT;
        }
      }
      case 17 -> {
        // miruo_tcp_finack
        switch (st0) {
          case SYN_RECV -> {
            st0 = FIN_WAIT1;
            s.shown = true;
          }
          case EST -> {
            if (st1 == EST) {
              st0 = FIN_WAIT1;
              s.shown = true;
            }
            if (st1 == FIN_WAIT1) {
              st0 = LAST_ACK;
              s.shown = true;
            }
          }
          case CLOSE_WAIT -> {
            st0 = LAST_ACK;
            s.shown = true;
          }
          default -> s.shown = true;
        }
        switch (st1) {
          case EST, FIN_WAIT2 -> {}
          case FIN_WAIT1 -> {
            st1 = FIN_WAIT2;
            s.shown = true;
          }
          default -> s.shown = true;
        }
      }
      case 4, 20 -> {
        boolean duringClose =
            (st0 == CLOSE_WAIT && (st1 == FIN_WAIT1 || st1 == FIN_WAIT2))
                || (st1 == CLOSE_WAIT && (st0 == FIN_WAIT1 || st0 == FIN_WAIT2));
        boolean view = duringClose ? opt.rstMode() > 1 : opt.rstMode() > 0;
        if (c.view && !view) {
          c.viewClearedByRst = true;
        }
        c.view = view;
        st0 = CLOSED;
        st1 = CLOSED;
        s.shown = true;
      }
      default -> s.shown = true;
    }
    c.st[s.sno] = st0;
    c.st[1 - s.sno] = st1;
  }

  private static boolean closed(Sess c) {
    return (c.st[0] == CLOSED && c.st[1] == CLOSED)
        || (c.st[0] == TIME_WAIT && c.st[1] == CLOSED)
        || (c.st[0] == CLOSED && c.st[1] == TIME_WAIT);
  }

  private static long connectionTimeMs(Sess c) {
    if (c.last == null) {
      return 0;
    }
    long us = c.last.p.tsUs() - c.t0Us;
    long sec = Math.floorDiv(us, 1_000_000);
    long usec = Math.floorMod(us, 1_000_000);
    return sec * 1000 + usec / 1000;
  }

  /** The sessions miruo printed, in the order it printed them. */
  List<Sess> printed() {
    List<Sess> out = new ArrayList<>();
    for (Sess s : sessions) {
      if (s.printed) {
        out.add(s);
      }
    }
    return out;
  }
}
