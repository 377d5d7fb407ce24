package dev.tcpscope.session.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decides, for the one slot a connection (seen by one observer) occupies, what a segment
 * does: start a session, continue it, end it (close, RST, duplicate SYN) or start a new one
 * on port reuse; and when a session times out. Holds no sessions itself, so the same logic
 * serves an in-memory table ({@code analyze}) and a Kafka Streams state store.
 */
public final class SessionEngine {
  private final RuleSettings rules;
  private final Consumer<SessionReport> reports;
  private final EngineStats stats = new EngineStats();
  private final SegmentBudget budget;

  public SessionEngine(RuleSettings rules, Consumer<SessionReport> reports) {
    this.rules = rules;
    this.reports = reports;
    this.budget = new SegmentBudget(stats, rules.segmentLimit());
  }

  public RuleSettings rules() {
    return rules;
  }

  public EngineStats stats() {
    return stats;
  }

  /**
   * Applies a segment to its connection's slot.
   *
   * @param current what the slot holds: null, an open session, or an ended one kept for a
   *     while so late segments of it do not start a bogus partial session
   * @return what the slot holds afterwards (null: empty)
   */
  public Session onSegment(Session current, Segment s, String observer, String source) {
    stats.segments++;
    if (stats.firstUs == Long.MIN_VALUE) {
      stats.firstUs = s.tsUs;
    }
    stats.lastUs = Math.max(stats.lastUs, s.tsUs);
    boolean connectionAttempt = s.has(Segment.SYN) && !s.has(Segment.ACK) && !s.has(Segment.RST);
    if (current != null && !current.ended()) {
      boolean fromClient = current.isFromClient(s);
      if (connectionAttempt && fromClient && !current.partial && s.seq != current.clientIsn) {
        // miruo: "Duplicate connection (packet loss?)": end the old one, start anew.
        current.reasons |= Reason.DUPLICATE_SYN.bit();
        finish(current, EndedBy.DUPLICATE_SYN);
        return open(s, observer, source, true, false);
      }
      if (connectionAttempt && fromClient && current.partial && current.answeredBefore(s)) {
        // The SYN-ACK was captured before its SYN (reordering): one session, not two.
        current.apply(s, true, rules, budget);
        return current;
      }
      if (connectionAttempt && fromClient && current.partial) {
        // A partial session's client opens a new connection: the old one is over.
        finish(current, EndedBy.CLOSE);
        return open(s, observer, source, true, false);
      }
      current.apply(s, fromClient, rules, budget);
      if (current.isClosed()) {
        finish(current, s.has(Segment.RST) ? EndedBy.RST : EndedBy.CLOSE);
      }
      return current;
    }
    if (current != null) {
      // Ended: a SYN with a new initial sequence number is port reuse; the rest is late.
      if (connectionAttempt && (s.seq != current.clientIsn || !current.isFromClient(s))) {
        return open(s, observer, source, true, false);
      }
      stats.lateSegments++;
      return current;
    }
    return open(s, observer, source, connectionAttempt, !connectionAttempt);
  }

  private Session open(Segment s, String observer, String source, boolean senderIsClient,
      boolean partial) {
    if (stats.open >= rules.sessionLimit()) {
      stats.droppedSessions++;
      return null;
    }
    boolean client = partial ? partialSenderIsClient(s) : senderIsClient;
    Session session = new Session(s, client, partial, observer, source, ringSize());
    stats.sessions++;
    if (partial) {
      stats.partialSessions++;
    }
    stats.open++;
    stats.peakOpen = Math.max(stats.peakOpen, stats.open);
    session.begin(s, client, rules, budget);
    if (session.isClosed()) {
      finish(session, s.has(Segment.RST) ? EndedBy.RST : EndedBy.CLOSE);
    }
    return session;
  }

  private int ringSize() {
    return Math.max(rules.viewData(), 4);
  }

  /**
   * For a session first seen mid-stream: a SYN+ACK's sender is the server; otherwise the
   * side talking to the lower (usually well-known) port is the client.
   */
  static boolean partialSenderIsClient(Segment s) {
    if (s.has(Segment.SYN) && s.has(Segment.ACK)) {
      return false;
    }
    return s.dstPort <= s.srcPort;
  }

  /**
   * Ends the session in the slot if it has been idle past its timeout at capture time
   * {@code nowUs}, or drops an ended session kept for late segments.
   *
   * @return what the slot holds afterwards
   */
  public Session onClock(Session current, long nowUs) {
    if (current == null) {
      return null;
    }
    if (current.ended()) {
      return nowUs - current.lastUs > RuleSettings.ENDED_LINGER_US ? null : current;
    }
    if (nowUs > current.timeoutAtUs()) {
      finish(current, EndedBy.TIMEOUT);
      return null;
    }
    return current;
  }

  /**
   * A session restored from a state store (a processor task starting) is open again: it
   * counts against {@code -L}, and its kept segments against {@code -l}.
   */
  public void resumed(Session restored) {
    if (restored.ended()) {
      return;
    }
    stats.open++;
    stats.peakOpen = Math.max(stats.peakOpen, stats.open);
    stats.keptSegments += restored.shown.size();
    stats.peakKeptSegments = Math.max(stats.peakKeptSegments, stats.keptSegments);
  }

  /** The capture ended: report the session if a rule already applies (or --all). */
  public void onEndOfCapture(Session current) {
    if (current != null && !current.ended()) {
      finish(current, EndedBy.END_OF_CAPTURE);
    }
  }

  /** When the slot next needs {@link #onClock}: its timeout, or when an ended one is dropped. */
  public static long nextDeadlineUs(Session current) {
    return current.ended()
        ? current.lastUs + RuleSettings.ENDED_LINGER_US
        : current.timeoutAtUs();
  }

  private void finish(Session session, EndedBy how) {
    session.end(how, rules);
    stats.open--;
    budget.release(session.shown.size());
    boolean report = session.shouldReport(rules);
    if (report) {
      stats.reported++;
      for (Reason reason : Reason.values()) {
        if (session.has(reason)) {
          stats.byReason[reason.ordinal()]++;
        }
      }
      reports.accept(report(session));
    }
    // The ended session stays in its slot only as a marker for late segments.
    session.release(budget);
  }

  /**
   * A session as it stands now, ended or not (an open one says {@code ended_by: open}): what
   * {@code tcpscope sessions} lists.
   */
  public static SessionReport snapshot(Session s) {
    return report(s);
  }

  static SessionReport report(Session s) {
    List<String> reasons = new ArrayList<>(2);
    for (Reason reason : Reason.values()) {
      if (s.has(reason)) {
        reasons.add(reason.name());
      }
    }
    List<ShownLine> lines = new ArrayList<>(s.shown.size());
    for (KeptSegment k : s.shown) {
      lines.add(
          new ShownLine(
              k.index,
              k.tsUs,
              k.fromClient,
              k.flags,
              k.seq,
              k.ack,
              k.frameLength,
              k.payloadLength,
              k.fragment,
              TcpOptionsText.describe(k.options, 0, k.optionsLength),
              k.clientState.name(),
              k.serverState.name(),
              k.mark,
              k.http));
    }
    String clientIp = IpText.of(s.clientIp, s.addressLength);
    String serverIp = IpText.of(s.serverIp, s.addressLength);
    return new SessionReport(
        s.source,
        s.observer,
        sessionId(s.observer, clientIp, s.clientPort, serverIp, s.serverPort, s.startUs),
        clientIp,
        s.clientPort,
        serverIp,
        s.serverPort,
        s.startUs,
        s.lastUs,
        s.clientSegments + s.serverSegments,
        s.clientBytes + s.serverBytes,
        s.clientSegments,
        s.clientBytes,
        s.serverSegments,
        s.serverBytes,
        List.copyOf(reasons),
        s.clientState.name(),
        s.serverState.name(),
        s.zeek.first().connState(),
        s.zeek.first().history(),
        s.zeek.connections(),
        s.partial,
        s.endedBy == null ? "open" : s.endedBy.wireName(),
        s.handshakeRttUs >= 0 ? s.handshakeRttUs : null,
        List.copyOf(lines));
  }

  /**
   * A session id every path derives alike (analyze, any processor instance): a 53-bit hash of
   * observer, endpoints and start time, so it survives JSON and repartitioning unchanged.
   */
  static long sessionId(
      String observer, String clientIp, int clientPort, String serverIp, int serverPort,
      long startUs) {
    long h = 0xcbf29ce484222325L;
    String text = observer + '|' + clientIp + '|' + clientPort + '|' + serverIp + '|' + serverPort
        + '|' + startUs;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return (h ^ (h >>> 29)) & ((1L << 53) - 1);
  }
}
