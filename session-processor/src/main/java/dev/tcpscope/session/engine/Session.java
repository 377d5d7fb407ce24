package dev.tcpscope.session.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One TCP session as one observer saw it: miruo's per-side state machine, the detection
 * rules, Zeek's view, counters and the segments kept for display. Mutated in place by
 * {@link #apply}; {@link SessionEngine} decides when sessions begin and end.
 */
public final class Session {
  /** miruo keeps at most about 2,048 segments of a session for display. */
  static final int MAX_SHOWN = 2048;

  final int addressLength;
  final byte[] clientIp;
  final int clientPort;
  final byte[] serverIp;
  final int serverPort;
  final String observer;
  final String source;
  final boolean partial;

  long startUs;
  long lastUs;
  TcpState clientState;
  TcpState serverState;
  long clientSegments;
  long clientBytes;
  long serverSegments;
  long serverBytes;
  int reasons;
  EndedBy endedBy;
  /** When a client SYN was first seen (-1: none), and the handshake's round trip (-1: none). */
  long synUs = -1;

  long handshakeRttUs = -1;

  // Sequence space per side, for retransmission detection (unsigned 32-bit, modular).
  long clientIsn;
  long serverIsn = -1;
  long clientNextSeq = -1;
  long serverNextSeq = -1;
  long clientUna = -1;
  long serverUna = -1;
  /** When each side's retransmission timer last restarted (new data, or the peer's new ACK). */
  long clientTimerUs;

  long serverTimerUs;

  /** Zeek's view; null once the session ended (its report is out). */
  ZeekView zeek;

  // Display: the shown segments, a ring of the latest unshown ones for -v context and for
  // the original of a retransmission, and how many following segments are still context.
  int nextIndex;
  final ArrayList<KeptSegment> shown = new ArrayList<>(4);
  KeptSegment[] recent;
  int recentCount;
  int recentHead;
  int contextAfter;
  long shownDropped;
  // An in-memory table's bookkeeping (not persisted): the session's key in the table, and its
  // links in the timing wheel's bucket of second timerDueSecond (timerBucket -1: not linked).
  SessionTable.ConnectionSlot slotKey;
  // slotKey's fields again, inline: the table's index compares them here, in the session it
  // reads anyway, instead of in a key object one more cache miss away.
  long slotLowHi;
  long slotLowLo;
  long slotHighHi;
  long slotHighLo;
  long slotMeta;
  /** Held by its table's index now (SlotIndex keeps this true exactly while it holds it). */
  boolean indexed;
  /** In the index's table of ended sessions (meaningful while indexed). */
  boolean retired;
  /** Changed since the table's last drain into a state store (not persisted). */
  boolean storeDirty;

  Session timerPrev;
  Session timerNext;
  int timerBucket = -1;
  long timerDueSecond;

  /** A ring record evicted by the last segment, reused for the next one. */
  private KeptSegment spare;

  Session(
      Segment first,
      boolean senderIsClient,
      boolean partial,
      String observer,
      String source,
      int ringSize) {
    this.addressLength = first.addressLength;
    this.clientIp = java.util.Arrays.copyOf(senderIsClient ? first.srcIp : first.dstIp, addressLength);
    this.serverIp = java.util.Arrays.copyOf(senderIsClient ? first.dstIp : first.srcIp, addressLength);
    this.clientPort = senderIsClient ? first.srcPort : first.dstPort;
    this.serverPort = senderIsClient ? first.dstPort : first.srcPort;
    this.observer = observer;
    this.source = source;
    this.partial = partial;
    this.startUs = first.tsUs;
    this.lastUs = first.tsUs;
    this.recent = new KeptSegment[Math.max(ringSize, 1)];
    this.zeek = new ZeekView();
    if (partial) {
      // First seen mid-stream: assume an established connection, as miruo would show it.
      clientState = TcpState.ESTABLISHED;
      serverState = TcpState.ESTABLISHED;
    }
  }

  /** Constructor for the store codec: every field is restored by the caller. */
  Session(
      int addressLength,
      byte[] clientIp,
      int clientPort,
      byte[] serverIp,
      int serverPort,
      String observer,
      String source,
      boolean partial,
      int ringSize,
      ZeekView zeek) {
    this.addressLength = addressLength;
    this.clientIp = clientIp;
    this.clientPort = clientPort;
    this.serverIp = serverIp;
    this.serverPort = serverPort;
    this.observer = observer;
    this.source = source;
    this.partial = partial;
    this.recent = ringSize == 0 ? NO_RING : new KeptSegment[ringSize];
    this.zeek = zeek;
  }

  /** The id of the agent that saw this session. */
  public String observer() {
    return observer;
  }

  /** Where the session was captured: the file or interface. */
  public String source() {
    return source;
  }

  /** True when the segment's sender is this session's client. */
  boolean isFromClient(Segment s) {
    return s.srcPort == clientPort
        && java.util.Arrays.equals(s.srcIp, 0, addressLength, clientIp, 0, addressLength)
        && (s.dstPort != serverPort
            || !java.util.Arrays.equals(s.srcIp, 0, addressLength, serverIp, 0, addressLength)
            || clientPort != serverPort);
  }

  /** Whether the session so far is only the server's SYN-ACK to this very SYN. */
  boolean answeredBefore(Segment syn) {
    return clientSegments == 0 && serverSegments == 1 && serverIsn >= 0
        && clientUna == ((syn.seq + 1) & 0xffffffffL);
  }

  boolean ended() {
    return endedBy != null;
  }

  boolean has(Reason reason) {
    return (reasons & reason.bit()) != 0;
  }

  /** Starts the session with its first segment (the client's SYN, or a mid-stream segment). */
  void begin(Segment s, boolean fromClient, RuleSettings rules, SegmentBudget budget) {
    if (partial) {
      apply(s, fromClient, rules, budget);
      return;
    }
    clientState = TcpState.SYN_SENT;
    serverState = TcpState.SYN_RECV;
    clientIsn = s.seq;
    clientNextSeq = (s.seq + 1 + s.payloadLength) & 0xffffffffL;
    clientTimerUs = s.tsUs;
    synUs = s.tsUs;
    count(s, fromClient);
    zeek.onSegment(s, true);
    KeptSegment k = slot(s, fromClient, budget);
    k.mark = Mark.HANDSHAKE;
    if (s.fragmented && rules.fragment()) {
      flag(Reason.FRAGMENT, k);
    }
    finishKeep(k, true, rules, budget);
  }

  /** Applies one segment of this session (not its first). */
  void apply(Segment s, boolean fromClient, RuleSettings rules, SegmentBudget budget) {
    long gapUs = s.tsUs - lastUs;
    boolean hadSegments = clientSegments + serverSegments > 0;
    count(s, fromClient);
    Retransmission retransmission = classifyRetransmission(s, fromClient);
    zeek.onSegment(s, fromClient);
    KeptSegment k = slot(s, fromClient, budget);

    boolean show;
    if (retransmission == Retransmission.NONE) {
      TcpState clientBefore = clientState;
      TcpState serverBefore = serverState;
      Mark mark = transition(s, fromClient);
      show = mark != null;
      if (s.httpLine != null && rules.httpMode() && clientBefore == TcpState.ESTABLISHED
          && serverBefore == TcpState.ESTABLISHED) {
        // miruo -m http: on an established session the line is shown under its segment
        k.http = s.httpLine;
        show = true;
      }
      if (mark != null) {
        k.mark = mark;
      }
      if (s.has(Segment.RST)) {
        judgeRst(clientBefore, serverBefore, rules, k);
      }
      trackHandshake(s, fromClient);
    } else {
      show = judgeRetransmission(s, fromClient, retransmission, rules, k, budget);
    }
    trackSequence(s, fromClient, retransmission != Retransmission.NONE);

    if (s.fragmented && rules.fragment()) {
      flag(Reason.FRAGMENT, k);
      show = true;
    }
    if (hadSegments && rules.longDelayMs() > 0 && gapUs > rules.longDelayMs() * 1000) {
      // Both segments around the gap are shown.
      if (recentCount > 0) {
        KeptSegment before = recent[(recentHead + recentCount - 1) % recent.length];
        if (before.index == k.index - 1) {
          promote(before, Mark.FLAGGED, budget);
        }
      }
      flag(Reason.LONG_DELAY, k);
      show = true;
    }
    k.clientState = clientState;
    k.serverState = serverState;
    finishKeep(k, show, rules, budget);
  }

  private void count(Segment s, boolean fromClient) {
    if (fromClient) {
      clientSegments++;
      clientBytes += s.frameLength;
    } else {
      serverSegments++;
      serverBytes += s.frameLength;
    }
    lastUs = Math.max(lastUs, s.tsUs);
  }

  private enum Retransmission {
    NONE,
    SYN,
    DATA
  }

  private Retransmission classifyRetransmission(Segment s, boolean fromClient) {
    boolean syn = s.has(Segment.SYN);
    boolean rst = s.has(Segment.RST);
    if (syn && !s.has(Segment.ACK)) {
      return fromClient && !partial && s.seq == clientIsn ? Retransmission.SYN : Retransmission.NONE;
    }
    if (syn) {
      return !fromClient && s.seq == serverIsn ? Retransmission.SYN : Retransmission.NONE;
    }
    long next = fromClient ? clientNextSeq : serverNextSeq;
    int consumed = s.payloadLength + (s.has(Segment.FIN) ? 1 : 0);
    if (rst || consumed == 0 || next < 0) {
      return Retransmission.NONE;
    }
    if (!before(s.seq, next)) {
      return Retransmission.NONE;
    }
    // A keep-alive resends the last byte (or nothing) at next - 1: not a retransmission.
    boolean keepAlive =
        s.payloadLength <= 1 && !s.has(Segment.FIN) && ((s.seq + 1) & 0xffffffffL) == next;
    return keepAlive ? Retransmission.NONE : Retransmission.DATA;
  }

  /** Applies -S and -r to a retransmitted segment; true when it is to be shown. */
  private boolean judgeRetransmission(
      Segment s, boolean fromClient, Retransmission kind, RuleSettings rules, KeptSegment kept,
      SegmentBudget budget) {
    if (kind == Retransmission.SYN) {
      if (rules.synRetransmit()) {
        flag(Reason.SYN_RETRANSMIT, kept);
        markOriginal(s, fromClient, budget);
        return true;
      }
      return false;
    }
    // The delay is measured from when the oldest unacknowledged data was sent (or the peer
    // last acknowledged new data): the original copy's time for the segment that is resent
    // first, without keeping every segment as miruo does.
    long delayUs = s.tsUs - (fromClient ? clientTimerUs : serverTimerUs);
    if (rules.retransmitMs() > 0 && delayUs >= rules.retransmitMs() * 1000) {
      flag(Reason.RETRANSMIT, kept);
      markOriginal(s, fromClient, budget);
      return true;
    }
    return false;
  }

  /** Shows the first copy of a retransmitted segment, green, when it is still at hand. */
  private void markOriginal(Segment s, boolean fromClient, SegmentBudget budget) {
    for (KeptSegment k : shown) {
      if (k.fromClient == fromClient && k.seq == s.seq) {
        if (k.mark == Mark.NONE) {
          k.mark = Mark.ORIGINAL;
        }
        return;
      }
    }
    for (int i = 0; i < recentCount; i++) {
      KeptSegment k = recent[(recentHead + i) % recent.length];
      if (k.fromClient == fromClient && k.seq == s.seq) {
        promote(k, Mark.ORIGINAL, budget);
        return;
      }
    }
  }

  private void trackSequence(Segment s, boolean fromClient, boolean retransmission) {
    int consumed =
        s.payloadLength + (s.has(Segment.SYN) ? 1 : 0) + (s.has(Segment.FIN) ? 1 : 0);
    if (fromClient) {
      if (!retransmission && consumed > 0) {
        if (clientNextSeq < 0 || !before(clientUna < 0 ? clientNextSeq : clientUna, clientNextSeq)) {
          clientTimerUs = s.tsUs; // nothing outstanding: the timer starts with this data
        }
        long end = (s.seq + consumed) & 0xffffffffL;
        if (clientNextSeq < 0 || before(clientNextSeq, end)) {
          clientNextSeq = end;
        }
      }
      if (s.has(Segment.ACK) && (serverUna < 0 || before(serverUna, s.ack))) {
        serverUna = s.ack;
        serverTimerUs = s.tsUs;
      }
    } else {
      if (!retransmission && consumed > 0) {
        if (serverNextSeq < 0 || !before(serverUna < 0 ? serverNextSeq : serverUna, serverNextSeq)) {
          serverTimerUs = s.tsUs;
        }
        long end = (s.seq + consumed) & 0xffffffffL;
        if (serverNextSeq < 0 || before(serverNextSeq, end)) {
          serverNextSeq = end;
        }
      }
      if (s.has(Segment.ACK) && (clientUna < 0 || before(clientUna, s.ack))) {
        clientUna = s.ack;
        clientTimerUs = s.tsUs;
      }
    }
  }

  private void trackHandshake(Segment s, boolean fromClient) {
    if (!fromClient && s.has(Segment.SYN) && s.has(Segment.ACK) && serverIsn < 0) {
      serverIsn = s.seq;
    }
    if (fromClient
        && handshakeRttUs < 0
        && synUs >= 0
        && serverIsn >= 0
        && s.has(Segment.ACK)
        && !s.has(Segment.SYN)
        && s.ack == ((serverIsn + 1) & 0xffffffffL)) {
      handshakeRttUs = s.tsUs - synUs;
    }
  }

  /** miruo -R: a RST while both sides were closing is harmless (RST_AFTER_FIN, -R 2 only). */
  private void judgeRst(TcpState client, TcpState server, RuleSettings rules, KeptSegment kept) {
    // miruo's exact pairs: one side CLOSE_WAIT, the other FIN_WAIT1 or FIN_WAIT2. Any other
    // state (even after one FIN) counts as a break, so we report every session miruo reports.
    boolean duringClose =
        (client == TcpState.CLOSE_WAIT
                && (server == TcpState.FIN_WAIT1 || server == TcpState.FIN_WAIT2))
            || (server == TcpState.CLOSE_WAIT
                && (client == TcpState.FIN_WAIT1 || client == TcpState.FIN_WAIT2));
    if (duringClose) {
      if (rules.rstMode() == 2) {
        flag(Reason.RST_AFTER_FIN, kept);
      }
    } else if (rules.rstMode() >= 1) {
      flag(Reason.RST, kept);
    }
    if (kept != null && kept.mark == Mark.NONE) {
      kept.mark = Mark.UNEXPECTED;
    }
  }

  /**
   * miruo's per-side transition for one segment (switching on FIN, SYN, RST and ACK only).
   *
   * @return how to show the segment when it changed a state or fits no transition, or null
   *     when it changed nothing (an ordinary data or ACK segment)
   */
  private Mark transition(Segment s, boolean fromClient) {
    TcpState sender = fromClient ? clientState : serverState;
    TcpState receiver = fromClient ? serverState : clientState;
    TcpState newSender = sender;
    TcpState newReceiver = receiver;
    Mark mark;
    switch (s.flags & (Segment.FIN | Segment.SYN | Segment.RST | Segment.ACK)) {
      case Segment.ACK -> {
        if (sender == TcpState.ESTABLISHED && receiver == TcpState.FIN_WAIT1) {
          newSender = TcpState.CLOSE_WAIT;
        } else if (sender == TcpState.FIN_WAIT2 && receiver == TcpState.LAST_ACK) {
          newSender = TcpState.TIME_WAIT;
        }
        boolean handshake = false;
        switch (receiver) {
          case SYN_RECV -> {
            newReceiver = TcpState.ESTABLISHED;
            handshake = true;
          }
          case FIN_WAIT1 -> newReceiver = TcpState.FIN_WAIT2;
          case LAST_ACK -> newReceiver = TcpState.CLOSED;
          default -> {}
        }
        if (newSender == sender && newReceiver == receiver) {
          mark = null;
        } else if (newSender == TcpState.TIME_WAIT || newReceiver == TcpState.CLOSED) {
          mark = Mark.CLOSED;
        } else {
          mark = handshake ? Mark.HANDSHAKE : Mark.NONE;
        }
      }
      case Segment.SYN | Segment.ACK -> {
        boolean fits = sender == TcpState.SYN_RECV && receiver == TcpState.SYN_SENT;
        if (receiver == TcpState.SYN_SENT) {
          newReceiver = TcpState.ESTABLISHED;
        }
        mark = fits ? Mark.HANDSHAKE : Mark.UNEXPECTED;
      }
      case Segment.FIN -> {
        boolean fits = true;
        switch (sender) {
          case ESTABLISHED -> newSender = TcpState.FIN_WAIT1;
          case CLOSE_WAIT -> newSender = TcpState.LAST_ACK;
          default -> fits = false;
        }
        switch (receiver) {
          case ESTABLISHED -> {}
          case FIN_WAIT2 -> newReceiver = TcpState.TIME_WAIT;
          default -> fits = false;
        }
        mark = fits ? Mark.NONE : Mark.UNEXPECTED;
      }
      case Segment.FIN | Segment.ACK -> {
        boolean fits = true;
        switch (sender) {
          case SYN_RECV -> newSender = TcpState.FIN_WAIT1;
          case ESTABLISHED -> {
            if (receiver == TcpState.ESTABLISHED) {
              newSender = TcpState.FIN_WAIT1;
            } else if (receiver == TcpState.FIN_WAIT1) {
              newSender = TcpState.LAST_ACK;
            }
          }
          case CLOSE_WAIT -> newSender = TcpState.LAST_ACK;
          default -> fits = false;
        }
        switch (receiver) {
          case ESTABLISHED, FIN_WAIT2 -> {}
          case FIN_WAIT1 -> newReceiver = TcpState.FIN_WAIT2;
          default -> fits = false;
        }
        mark = fits ? Mark.NONE : Mark.UNEXPECTED;
      }
      case Segment.RST, Segment.RST | Segment.ACK -> {
        newSender = TcpState.CLOSED;
        newReceiver = TcpState.CLOSED;
        mark = Mark.NONE; // judgeRst decides the colour
      }
      case Segment.SYN -> mark = null; // a new SYN is the engine's business
      default -> mark = Mark.UNEXPECTED;
    }
    if (fromClient) {
      clientState = newSender;
      serverState = newReceiver;
    } else {
      serverState = newSender;
      clientState = newReceiver;
    }
    return mark;
  }

  /** Closed as miruo decides it: both CLOSED, or one TIME_WAIT and the other CLOSED. */
  boolean isClosed() {
    return (clientState == TcpState.CLOSED
            && (serverState == TcpState.CLOSED || serverState == TcpState.TIME_WAIT))
        || (clientState == TcpState.TIME_WAIT && serverState == TcpState.CLOSED);
  }

  /** Capture time at which this session times out if nothing more arrives. */
  long timeoutAtUs() {
    boolean transientState = clientState.isTransient() || serverState.isTransient();
    return lastUs + (transientState ? RuleSettings.TRANSIENT_TIMEOUT_US : RuleSettings.IDLE_TIMEOUT_US);
  }

  void end(EndedBy how, RuleSettings rules) {
    endedBy = how;
    if (how == EndedBy.TIMEOUT) {
      reasons |= Reason.TIMEOUT.bit();
    }
    if (rules.longConnectMs() > 0 && lastUs - startUs > rules.longConnectMs() * 1000) {
      reasons |= Reason.LONG_CONNECT.bit();
    }
  }

  boolean shouldReport(RuleSettings rules) {
    return reasons != 0 || rules.all();
  }

  private void flag(Reason reason, KeptSegment kept) {
    reasons |= reason.bit();
    if (kept != null) {
      kept.mark = Mark.FLAGGED;
    }
  }

  // ---- display ----

  /** A record for the current segment: the spare left by the ring, or a new one. */
  private KeptSegment slot(Segment s, boolean fromClient, SegmentBudget budget) {
    KeptSegment k = spare != null ? spare : budget.take();
    spare = null;
    k.copyFrom(s, nextIndex++, fromClient);
    k.clientState = clientState;
    k.serverState = serverState;
    return k;
  }

  /**
   * Files the current segment: shown (with -v N context before and after it, as miruo's
   * setview does) or into the ring of recent unshown segments, whose oldest is recycled.
   */
  private void finishKeep(KeptSegment k, boolean show, RuleSettings rules, SegmentBudget budget) {
    if (show) {
      int context = Math.min(rules.viewData(), recentCount);
      for (int i = 0; i < context; i++) {
        KeptSegment before = recent[(recentHead + recentCount - 1) % recent.length];
        recent[(recentHead + recentCount - 1) % recent.length] = null;
        recentCount--;
        insertShown(before, budget);
      }
      contextAfter = rules.viewData();
      insertShown(k, budget);
      return;
    }
    if (contextAfter > 0) {
      contextAfter--;
      insertShown(k, budget);
      return;
    }
    if (recentCount == recent.length) {
      spare = recent[recentHead];
      recent[recentHead] = null;
      recentHead = (recentHead + 1) % recent.length;
      recentCount--;
    }
    recent[(recentHead + recentCount) % recent.length] = k;
    recentCount++;
  }

  /** Moves a segment from the ring to the shown list (flagged later, or an original). */
  private void promote(KeptSegment k, Mark mark, SegmentBudget budget) {
    for (int i = 0; i < recentCount; i++) {
      if (recent[(recentHead + i) % recent.length] != k) {
        continue;
      }
      for (int j = i; j < recentCount - 1; j++) {
        recent[(recentHead + j) % recent.length] = recent[(recentHead + j + 1) % recent.length];
      }
      recent[(recentHead + recentCount - 1) % recent.length] = null;
      recentCount--;
      if (k.mark == Mark.NONE) {
        k.mark = mark;
      }
      insertShown(k, budget);
      return;
    }
  }

  private void insertShown(KeptSegment k, SegmentBudget budget) {
    if (shown.size() >= MAX_SHOWN || !budget.tryKeep()) {
      shownDropped++;
      budget.giveBack(k);
      return;
    }
    insertShown(k);
  }

  private void insertShown(KeptSegment k) {
    int at = shown.size();
    while (at > 0 && shown.get(at - 1).index > k.index) {
      at--;
    }
    shown.add(at, k);
  }

  private static final KeptSegment[] NO_RING = new KeptSegment[0];

  /**
   * After the end and the report: keeps only what recognises a late segment (endpoints, initial
   * sequence number, times), so an ended session waiting in its slot costs little.
   */
  void release(SegmentBudget budget) {
    for (KeptSegment k : shown) {
      budget.giveBack(k);
    }
    for (int i = 0; i < recentCount; i++) {
      budget.giveBack(recent[(recentHead + i) % recent.length]);
    }
    budget.giveBack(spare);
    shown.clear();
    shown.trimToSize();
    recent = NO_RING;
    recentCount = 0;
    recentHead = 0;
    spare = null;
    zeek = null;
  }

  /** The segments kept for display, in capture order. */
  List<KeptSegment> shownSegments() {
    return shown;
  }

  static boolean before(long a, long b) {
    return (int) (a - b) < 0;
  }
}
