package dev.tcpscope.session.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Zeek's view of a session, kept beside miruo's so that every report carries conn_state and
 * history as Zeek's conn.log would (zeek-vocabulary.md). It follows Zeek's TCP analyzer step by
 * step (TCPSessionAdapter::Process and its Update*State functions, update_history,
 * update_last_seq, the reassembler's gap test) and Zeek's connection lifecycle: where Zeek
 * would have ended its connection and begun another while the session goes on (an attempt
 * unanswered for 5 s, a SYN taken for reuse, 5 s after a complete close, inactivity), the
 * connection so far is kept as a {@link ZeekConnection} and a new one begins.
 *
 * <p>The first connection's originator is the session's client; a later one's is chosen as
 * Zeek does for a new connection: the sender of a SYN, otherwise by the session's port
 * heuristic (Zeek's likely_server_ports depends on the analyzers it loaded).
 */
final class ZeekView {
  private static final Pattern RSTOS0_HISTORY = Pattern.compile("\\^?S[^HAFGIQ]*R.*");
  /** Zeek's TOO_LARGE_SEQ_DELTA: a SYN or RST this far off is not trusted. */
  private static final int TOO_LARGE_SEQ_DELTA = 1_048_576;

  static final long ATTEMPT_DELAY_US = 5_000_000L; // tcp_attempt_delay
  static final long CLOSE_DELAY_US = 5_000_000L; // tcp_close_delay
  static final long RESET_DELAY_US = 5_000_000L; // tcp_reset_delay
  static final long LINGER_US = 5_000_000L; // tcp_connection_linger
  static final long SYN_TIMEOUT_US = 5_000_000L; // tcp_SYN_timeout: first expire check
  static final long SESSION_TIMER_US = 6_000_000L; // tcp_session_timer: expire check period
  static final long HANDSHAKE_INACTIVITY_US = 60_000_000L; // until a side leaves the handshake
  static final long INACTIVITY_US = 300_000_000L; // tcp_inactivity_timeout

  /** Bounds a session's state: history letters and earlier connections kept at most. */
  static final int MAX_HISTORY = 100;

  static final int MAX_CONNECTIONS = 16;

  private static final byte[] NO_LETTERS = new byte[0];

  // Zeek's hist_seen bits (HIST_*), the responder's shifted by 16.
  private static final int HIST_SYN = 0x1;
  private static final int HIST_FIN = 0x2;
  private static final int HIST_RST = 0x4;
  private static final int HIST_FIN_RST = 0x8;
  private static final int HIST_DATA = 0x10;
  private static final int HIST_ACK = 0x20;
  private static final int HIST_MULTI_FLAG = 0x40;

  ZeekEndpoint orig = new ZeekEndpoint();
  ZeekEndpoint resp = new ZeekEndpoint();
  /** Whether the current connection's originator is the session's server. */
  boolean flipped;

  boolean started;
  long startUs;
  /** Zeek's connection LastTime: the last packet before both sides had closed. */
  long lastUs;

  /** The history letters so far (ASCII), written in place: no string per letter. */
  byte[] history = NO_LETTERS;

  int historyLength;
  int histSeen;
  /** Zeek's is_partial: the connection was not seen from its SYN. */
  boolean partial;

  /** Bits 1 (originator) and 2 (responder): a first packet was seen from that side. */
  int firstPacketSeen;

  /** Zeek's is_active: cleared once the connection finished or was reset. */
  boolean active = true;

  boolean handshakeInactivity = true;
  long attemptAtUs = -1;
  long deleteAtUs = -1;
  /** The connections Zeek would have logged before the current one; null while there are none. */
  List<ZeekConnection> earlier;

  // Per segment scratch, set by the state machine.
  private boolean doClose;
  private boolean genEvent;

  void onSegment(Segment s, boolean fromClient) {
    if (!started) {
      begin(s, fromClient, fromClient);
    } else if (endsBefore(s)) {
      finishConnection();
      boolean origIsSender = (s.has(Segment.SYN) && !s.has(Segment.ACK))
          || SessionEngine.partialSenderIsClient(s);
      begin(s, fromClient, origIsSender);
    }
    process(s, fromClient != flipped);
  }

  private void begin(Segment s, boolean fromClient, boolean origIsSender) {
    started = true;
    startUs = s.tsUs;
    lastUs = s.tsUs;
    flipped = origIsSender != fromClient;
    if (!origIsSender) {
      addHistory('^'); // Zeek flipped the roles of a connection that began without a SYN
    }
  }

  /** Whether Zeek would have removed its connection before this segment, or takes it as reuse. */
  private boolean endsBefore(Segment s) {
    long ts = s.tsUs;
    if (attemptAtUs >= 0 && ts >= attemptAtUs) {
      boolean attempt = active
          && (orig.state == EndpointState.SYN_SENT || orig.state == EndpointState.SYN_ACK_SENT)
          && resp.state == EndpointState.INACTIVE;
      attemptAtUs = -1;
      if (attempt) {
        return true;
      }
    }
    if (deleteAtUs >= 0 && ts >= deleteAtUs) {
      return true;
    }
    if (active && expiresBy(ts)) {
      return true;
    }
    if (ts >= lastUs + (handshakeInactivity ? HANDSHAKE_INACTIVITY_US : INACTIVITY_US)) {
      return true;
    }
    return isReuse(s);
  }

  /** Zeek's ExpireTimer, first 5 s after the start and then every 6 s, up to {@code ts}. */
  private boolean expiresBy(long ts) {
    boolean closing = (orig.didClose || resp.didClose)
        && ((orig.didClose && resp.didClose)
            || orig.state == EndpointState.RESET || resp.state == EndpointState.RESET
            || orig.state == EndpointState.INACTIVE || resp.state == EndpointState.INACTIVE);
    boolean idle = orig.state == EndpointState.INACTIVE && resp.state == EndpointState.INACTIVE;
    if (!closing && !idle) {
      return false;
    }
    long firstTick = startUs + SYN_TIMEOUT_US;
    long due = lastUs + LINGER_US; // the timer removes the connection when due < tick
    long tick = due < firstTick
        ? firstTick
        : firstTick + ((due - firstTick) / SESSION_TIMER_US + 1) * SESSION_TIMER_US;
    return tick <= ts;
  }

  /** Zeek's IsReuse: a SYN (or a SYN+ACK of a half connection) that starts a new connection. */
  private boolean isReuse(Segment s) {
    if (!s.has(Segment.SYN)) {
      return false;
    }
    ZeekEndpoint connOrig = orig;
    if (s.has(Segment.ACK)) {
      if (orig.state != EndpointState.INACTIVE) {
        return false;
      }
      connOrig = resp;
    }
    if (!orig.didClose && !resp.didClose) {
      if ((int) s.seq == connOrig.startSeq) {
        return false;
      }
      // An initial SYN of a connection whose SYN-ACK came first: Zeek flips, not reuses.
      return s.has(Segment.ACK) || connOrig.state != EndpointState.SYN_ACK_SENT
          || resp.state != EndpointState.INACTIVE || (int) s.seq != resp.startSeq;
    }
    return true;
  }

  private void finishConnection() {
    if (earlier == null) {
      earlier = new ArrayList<>(2);
    }
    if (earlier.size() < MAX_CONNECTIONS) {
      earlier.add(current());
    }
    orig = new ZeekEndpoint();
    resp = new ZeekEndpoint();
    history = NO_LETTERS;
    historyLength = 0;
    histSeen = 0;
    partial = false;
    firstPacketSeen = 0;
    active = true;
    handshakeInactivity = true;
    attemptAtUs = -1;
    deleteAtUs = -1;
  }

  /** The connection in progress, as Zeek would log it now. */
  ZeekConnection current() {
    return new ZeekConnection(startUs, !flipped, connState(), history());
  }

  /** Every connection Zeek would log for the session, when there is more than one. */
  List<ZeekConnection> connections() {
    if (earlier == null) {
      return List.of();
    }
    List<ZeekConnection> all = new ArrayList<>(earlier.size() + 1);
    all.addAll(earlier);
    all.add(current());
    return all;
  }

  /** The connection Zeek logs at the session's start (its conn_state and history). */
  ZeekConnection first() {
    return earlier == null ? current() : earlier.get(0);
  }

  // ---- TCPSessionAdapter::Process ----

  private void process(Segment s, boolean isOrig) {
    ZeekEndpoint endpoint = isOrig ? orig : resp;
    ZeekEndpoint peer = isOrig ? resp : orig;
    if (s.badChecksum) {
      // Zeek drops the packet after counting it (c/C, logarithmic).
      scaled(endpoint, 'C', ++endpoint.badChecksums);
      return;
    }
    boolean syn = s.has(Segment.SYN);
    boolean ack = s.has(Segment.ACK);
    boolean fin = s.has(Segment.FIN);
    boolean rst = s.has(Segment.RST);
    if (isOrig) {
      if ((firstPacketSeen & 1) == 0) {
        partial = !syn || ack;
      }
    } else if ((firstPacketSeen & 2) == 0 && !partial) {
      partial = !syn;
    }
    int len = s.payloadLength;
    int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
    long seq = s.seq;
    long end = (seq + segLen) & 0xffffffffL;
    initEndpoint(endpoint, syn, seq, end);
    int relSeq = endpoint.relative(seq);
    boolean underflow = relSeq < 0;

    updateHistory(endpoint, syn, ack, fin, rst, relSeq, len);
    if (s.window == 0 && !rst && peer.state != EndpointState.CLOSED
        && endpoint.state != EndpointState.RESET) {
      scaled(endpoint, 'W', ++endpoint.zeroWindows);
    }
    if (!orig.didClose || !resp.didClose) {
      lastUs = s.tsUs;
    }
    if (fin) {
      endpoint.finCount++;
      endpoint.finSeq = relSeq + segLen;
    }
    int relAck = 0;
    if (ack) {
      if (peer.state == EndpointState.INACTIVE) {
        relAck = 1;
        peer.initSequence(s.ack - 1, s.ack - 1); // as though its SYN had been seen
      } else {
        relAck = peer.relative(s.ack);
        if (relAck < 0) {
          relAck = 0;
        } else if (!rst) {
          int delta = (int) s.ack - peer.ackSeq;
          if (!(s.ack == 0 && delta > TOO_LARGE_SEQ_DELTA) && delta > 0) {
            peer.ackSeq = (int) s.ack;
          }
        }
      }
    }
    int deltaLast = updateLastSeq(endpoint, end, syn, fin, rst, len);

    doClose = false;
    genEvent = false;
    switch (endpoint.state) {
      case INACTIVE -> inactive(endpoint, peer, s, len, endpoint == orig, syn, ack, fin, rst);
      case SYN_SENT, SYN_ACK_SENT -> synSent(endpoint, fin, rst);
      case ESTABLISHED, PARTIAL -> established(endpoint, peer, syn, ack, fin, rst);
      case CLOSED -> closed(endpoint, peer, rst, s.tsUs);
      case RESET -> {}
    }
    // The state machine may have flipped the roles.
    isOrig = endpoint == orig;
    if (handshakeInactivity && (!orig.state.handshake() || !resp.state.handshake())) {
      handshakeInactivity = false;
    }
    if (ack) {
      int holes = peer.ackReceived(relAck, partial);
      if (holes > 0 && peer.cleanlyOpen() && endpoint.cleanlyOpen()) {
        for (int i = 0; i < holes; i++) {
          scaled(peer, 'G', ++peer.gaps);
        }
      }
    }
    firstPacketSeen |= isOrig ? 1 : 2;
    if (len > 0 && !rst && !underflow && !s.payloadTruncated) {
      endpoint.dataSent(syn ? relSeq + 1 : relSeq, len);
    }
    if (doClose) {
      connectionClosed(endpoint, peer);
    }
  }

  private static void initEndpoint(ZeekEndpoint e, boolean syn, long seq, long end) {
    switch (e.state) {
      case INACTIVE -> {
        if (syn) {
          e.initSequence(seq, end);
        } else {
          // midstream: numbered as though a SYN had come just before
          e.initSequence(seq - 1, seq);
        }
      }
      case SYN_SENT, SYN_ACK_SENT -> {
        if (syn && (int) seq != e.startSeq) {
          e.initSequence(seq, end);
        }
      }
      case ESTABLISHED, PARTIAL -> {
        if (syn) {
          e.initSequence(seq, end);
        }
      }
      case RESET -> {
        if (syn && e.prevState == EndpointState.INACTIVE) {
          e.initSequence(seq, end);
        }
      }
      default -> {}
    }
  }

  private void updateHistory(ZeekEndpoint e, boolean syn, boolean ack, boolean fin, boolean rst,
      int relSeq, int len) {
    int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) {
        checkHistory(e, HIST_FIN_RST, 'I');
      } else {
        checkHistory(e, HIST_MULTI_FLAG, 'Q');
      }
    } else if (bits == 1) {
      if (syn) {
        char code = ack ? 'H' : 'S';
        if (checkHistory(e, HIST_SYN, code) && relSeq != e.histLastSyn) {
          addHistory(e, code);
        }
        e.histLastSyn = relSeq;
      }
      if (fin) {
        if (checkHistory(e, HIST_FIN, 'F') && relSeq + len != e.histLastFin) {
          addHistory(e, 'F');
        }
        e.histLastFin = relSeq + len;
      }
      if (rst) {
        if (checkHistory(e, HIST_RST, 'R') && relSeq != e.histLastRst) {
          addHistory(e, 'R');
        }
        e.histLastRst = relSeq;
      }
    } else if (len > 0) {
      checkHistory(e, HIST_DATA, 'D');
    } else if (ack) {
      checkHistory(e, HIST_ACK, 'A');
    }
  }

  /** Zeek's update_last_seq: advances the side's highest sequence, or counts a retransmission. */
  private int updateLastSeq(ZeekEndpoint e, long last, boolean syn, boolean fin, boolean rst,
      int len) {
    int delta = (int) last - e.lastSeq;
    if ((syn || rst) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
      return delta;
    }
    if (fin && e.lastSeq == e.startSeq + 1) {
      e.lastSeq = (int) last;
    } else if (e.state == EndpointState.RESET) {
      return delta; // nothing after a RST is trusted
    } else if (delta > 0) {
      e.lastSeq = (int) last;
    } else if (len > 0) {
      scaled(e, 'T', ++e.retransmits);
    }
    return delta;
  }

  // ---- the Update*State functions ----

  private void inactive(ZeekEndpoint endpoint, ZeekEndpoint peer, Segment s, int len,
      boolean isOrig, boolean syn, boolean ack, boolean fin, boolean rst) {
    if (syn) {
      if (isOrig) {
        endpoint.setState(ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
        attemptAtUs = s.tsUs + ATTEMPT_DELAY_US;
      } else {
        if (!ack && peer.state == EndpointState.SYN_ACK_SENT && (int) s.seq == endpoint.startSeq) {
          // The SYN-ACK came before its SYN: the roles were the other way round.
          partial = false;
          flipRoles();
          peer.setState(EndpointState.ESTABLISHED);
          firstPacketSeen |= 1;
        }
        if (peer.state == EndpointState.SYN_SENT) {
          peer.setState(EndpointState.ESTABLISHED);
        }
        endpoint.setState(EndpointState.ESTABLISHED);
      }
    }
    if (fin) {
      closedByFin(endpoint);
    }
    if (rst) {
      endpoint.setState(EndpointState.RESET);
      boolean reject = isOrig
          ? peer.state == EndpointState.ESTABLISHED
          : peer.state == EndpointState.SYN_SENT || peer.state == EndpointState.SYN_ACK_SENT;
      doClose = true;
      genEvent = !reject;
    }
    if (endpoint.state == EndpointState.INACTIVE) {
      if (!isOrig && len == 0 && orig.state == EndpointState.SYN_SENT) {
        // an ACK of the SYN before the SYN-ACK: not yet a partial connection
      } else if (ack && peer.state == EndpointState.ESTABLISHED) {
        // the SYN was missed but its SYN-ACK seen: established, not partial
        endpoint.setState(EndpointState.ESTABLISHED);
        partial = false;
        firstPacketSeen |= endpoint == orig ? 1 : 2;
      } else {
        endpoint.setState(EndpointState.PARTIAL);
      }
    }
  }

  /** A FIN closes its sender's side; the connection is to be reported as closed. */
  private void closedByFin(ZeekEndpoint endpoint) {
    endpoint.setState(EndpointState.CLOSED);
    doClose = true;
    genEvent = true;
  }

  private void synSent(ZeekEndpoint endpoint, boolean fin, boolean rst) {
    if (fin) {
      closedByFin(endpoint);
    }
    if (rst) {
      endpoint.setState(EndpointState.RESET);
      active = false; // ConnectionReset
      doClose = true;
    }
  }

  private void established(ZeekEndpoint endpoint, ZeekEndpoint peer, boolean syn, boolean ack,
      boolean fin, boolean rst) {
    if (syn && endpoint.state == EndpointState.PARTIAL && peer.state == EndpointState.INACTIVE
        && !ack) {
      endpoint.setState(EndpointState.SYN_SENT); // SYN_after_partial
    }
    if (fin && !rst) {
      endpoint.setState(EndpointState.CLOSED);
      if (peer.state == EndpointState.RESET && peer.prevState == EndpointState.CLOSED) {
        peer.setState(EndpointState.CLOSED); // the peer's FIN then RST was a normal close
      }
      doClose = true;
      genEvent = true;
    }
    if (rst) {
      endpoint.setState(EndpointState.RESET);
      doClose = true;
      if (peer.state != EndpointState.RESET || peer.prevState != EndpointState.ESTABLISHED) {
        active = false;
      }
    }
  }

  private void closed(ZeekEndpoint endpoint, ZeekEndpoint peer, boolean rst, long ts) {
    // After a FIN exchange a RST changes nothing.
    if (rst && peer.state != EndpointState.CLOSED) {
      endpoint.setState(EndpointState.RESET);
      if (!endpoint.didClose) {
        doClose = true;
      }
      if (active) {
        long resetAt = ts + RESET_DELAY_US; // ResetTimer removes the connection
        deleteAtUs = deleteAtUs < 0 ? resetAt : Math.min(deleteAtUs, resetAt);
      }
    }
  }

  private void connectionClosed(ZeekEndpoint endpoint, ZeekEndpoint peer) {
    if (endpoint.didClose) {
      return;
    }
    endpoint.didClose = true;
    boolean complete = endpoint.state == EndpointState.RESET || peer.didClose
        || peer.state == EndpointState.INACTIVE;
    if (complete) {
      if ((endpoint.prevState != EndpointState.INACTIVE || peer.state != EndpointState.INACTIVE)
          && genEvent) {
        active = false; // ConnectionFinished
      }
      attemptAtUs = -1; // CancelTimers
      deleteAtUs = lastUs + CLOSE_DELAY_US;
    }
  }

  private void flipRoles() {
    ZeekEndpoint t = orig;
    orig = resp;
    resp = t;
    flipped = !flipped;
    histSeen = (histSeen >>> 16) | (histSeen << 16);
    firstPacketSeen = ((firstPacketSeen & 1) << 1) | ((firstPacketSeen & 2) >> 1);
    partial = false;
    addHistory('^');
  }

  // ---- history ----

  /** Writes the letter the first time it occurs for that side; true when it had occurred. */
  private boolean checkHistory(ZeekEndpoint e, int mask, char code) {
    int bit = e == orig ? mask : mask << 16;
    if ((histSeen & bit) == 0) {
      histSeen |= bit;
      addHistory(e, code);
      return false;
    }
    return true;
  }

  /** The logarithmic letters: written at the 1st, 10th, 100th ... occurrence. */
  private void scaled(ZeekEndpoint e, char code, int count) {
    int threshold = 1;
    while (threshold < count && threshold <= 100_000_000) {
      threshold *= 10;
    }
    if (threshold == count) {
      addHistory(e, code);
    }
  }

  private void addHistory(ZeekEndpoint e, char code) {
    addHistory(e == orig ? code : Character.toLowerCase(code));
  }

  private void addHistory(char code) {
    if (historyLength == history.length) {
      if (historyLength == MAX_HISTORY) {
        return;
      }
      history = java.util.Arrays.copyOf(history, Math.min(MAX_HISTORY, historyLength + 8));
    }
    history[historyLength++] = (byte) code;
  }

  String history() {
    return new String(history, 0, historyLength, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Zeek's conn_state, with the checks in Zeek's order (first match wins). */
  String connState() {
    EndpointState os = orig.state;
    EndpointState rs = resp.state;
    if (rs == EndpointState.RESET) {
      if (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT
          || (os == EndpointState.RESET && orig.size(resp) == 0 && resp.size(orig) == 0)) {
        return "REJ";
      }
      return os.inactive() ? "RSTRH" : "RSTR";
    }
    if (os == EndpointState.RESET) {
      if (rs.inactive()) {
        return RSTOS0_HISTORY.matcher(history()).matches() ? "RSTOS0" : "OTH";
      }
      return "RSTO";
    }
    if (rs == EndpointState.CLOSED && os == EndpointState.CLOSED) {
      return "SF";
    }
    if (os == EndpointState.CLOSED) {
      return rs.inactive() ? "SH" : "S2";
    }
    if (rs == EndpointState.CLOSED) {
      return os.inactive() ? "SHR" : "S3";
    }
    if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE) {
      return "S0";
    }
    if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED) {
      return "S1";
    }
    return "OTH";
  }
}
