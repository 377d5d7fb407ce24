package dev.tcpscope.session.engine;

import java.util.regex.Pattern;

/**
 * Zeek's view of a connection: each endpoint's state, the history string and payload sizes,
 * kept beside miruo's so that every report carries conn_state and history as Zeek's conn.log
 * would (see zeek-vocabulary.md). The client is Zeek's originator.
 */
final class ZeekView {
  private static final Pattern RSTOS0_HISTORY = Pattern.compile("\\^?S[^HAFGIQ]*R.*");

  // letter slots: s h a d f r t w i q, upper case for the originator
  private static final String LETTERS = "shadfrtwiq";
  private static final int S = 0;
  private static final int H = 1;
  private static final int A = 2;
  private static final int D = 3;
  private static final int F = 4;
  private static final int R = 5;
  private static final int T = 6;
  private static final int W = 7;
  private static final int I = 8;
  private static final int Q = 9;

  ZeekEndpoint orig = ZeekEndpoint.INACTIVE;
  ZeekEndpoint resp = ZeekEndpoint.INACTIVE;
  long origPayload;
  long respPayload;
  String history = "";
  /** Letters a, d, i, q already written, per direction (bit = slot + 10 * responder). */
  int onceWritten;
  /** Last sequence number of s, h, f, r per direction; a new one repeats the letter. */
  final long[] lastFlagSeq = {-1, -1, -1, -1, -1, -1, -1, -1};
  /** Occurrences of t and w per direction, for the logarithmic letters. */
  final int[] logCounts = new int[4];

  void onSegment(Segment s, boolean fromOrig, boolean retransmission) {
    boolean syn = s.has(Segment.SYN);
    boolean ack = s.has(Segment.ACK);
    boolean fin = s.has(Segment.FIN);
    boolean rst = s.has(Segment.RST);
    if (fromOrig) {
      origPayload += s.payloadLength;
    } else {
      respPayload += s.payloadLength;
    }
    if (syn && (fin || rst)) {
      once(Q, fromOrig);
    }
    if (fin && rst) {
      once(I, fromOrig);
    }
    if (syn) {
      bySeq(ack ? H : S, fromOrig, s.seq);
    }
    if (fin) {
      bySeq(F, fromOrig, s.seq);
    }
    if (rst) {
      bySeq(R, fromOrig, s.seq);
    }
    if (s.payloadLength > 0) {
      once(D, fromOrig);
    } else if (ack && !syn && !fin && !rst) {
      once(A, fromOrig);
    }
    if (retransmission) {
      logarithmic(T, 0, fromOrig);
    }
    if (s.window == 0 && !syn && !fin && !rst) {
      logarithmic(W, 1, fromOrig);
    }
    advanceEndpoints(fromOrig, syn, ack, fin, rst, s.payloadLength > 0);
  }

  private void advanceEndpoints(
      boolean fromOrig, boolean syn, boolean ack, boolean fin, boolean rst, boolean data) {
    ZeekEndpoint self = fromOrig ? orig : resp;
    ZeekEndpoint peer = fromOrig ? resp : orig;
    if (rst) {
      self = ZeekEndpoint.RESET;
    } else if (fin) {
      if (self != ZeekEndpoint.RESET) {
        self = ZeekEndpoint.CLOSED;
      }
    } else if (syn) {
      if (self == ZeekEndpoint.INACTIVE) {
        self = ack ? ZeekEndpoint.SYN_ACK_SENT : ZeekEndpoint.SYN_SENT;
      }
    } else if (ack || data) {
      switch (self) {
        case INACTIVE -> self = ZeekEndpoint.PARTIAL;
        case SYN_SENT -> {
          // The originator acknowledging the SYN+ACK completes the handshake for both.
          self = ZeekEndpoint.ESTABLISHED;
          if (peer == ZeekEndpoint.SYN_ACK_SENT) {
            peer = ZeekEndpoint.ESTABLISHED;
          }
        }
        case SYN_ACK_SENT -> {
          if (peer == ZeekEndpoint.ESTABLISHED || peer == ZeekEndpoint.SYN_SENT) {
            self = ZeekEndpoint.ESTABLISHED;
          }
        }
        default -> {
          // established, partial, closed or reset stay as they are
        }
      }
    }
    if (fromOrig) {
      orig = self;
      resp = peer;
    } else {
      resp = self;
      orig = peer;
    }
  }

  private void once(int slot, boolean fromOrig) {
    int bit = 1 << (slot + (fromOrig ? 0 : 10));
    if ((onceWritten & bit) == 0) {
      onceWritten |= bit;
      write(slot, fromOrig);
    }
  }

  private void bySeq(int slot, boolean fromOrig, long seq) {
    int i = (slot == S ? 0 : slot == H ? 1 : slot == F ? 2 : 3) + (fromOrig ? 0 : 4);
    if (lastFlagSeq[i] != seq) {
      lastFlagSeq[i] = seq;
      write(slot, fromOrig);
    }
  }

  private void logarithmic(int slot, int counter, boolean fromOrig) {
    int i = counter * 2 + (fromOrig ? 0 : 1);
    int n = ++logCounts[i];
    if (n == 1 || n == 10 || n == 100 || n == 1000 || n == 10_000 || n == 100_000) {
      write(slot, fromOrig);
    }
  }

  private void write(int slot, boolean fromOrig) {
    char letter = LETTERS.charAt(slot);
    history = history + (fromOrig ? Character.toUpperCase(letter) : letter);
  }

  /** Zeek's conn_state, with the checks in Zeek's order (first match wins). */
  String connState() {
    boolean origInactive = orig.inactive();
    boolean respInactive = resp.inactive();
    if (resp == ZeekEndpoint.RESET) {
      if (orig == ZeekEndpoint.SYN_SENT
          || orig == ZeekEndpoint.SYN_ACK_SENT
          || (orig == ZeekEndpoint.RESET && origPayload == 0 && respPayload == 0)) {
        return "REJ";
      }
      return origInactive ? "RSTRH" : "RSTR";
    }
    if (orig == ZeekEndpoint.RESET) {
      if (respInactive) {
        return RSTOS0_HISTORY.matcher(history).matches() ? "RSTOS0" : "OTH";
      }
      return "RSTO";
    }
    if (resp == ZeekEndpoint.CLOSED && orig == ZeekEndpoint.CLOSED) {
      return "SF";
    }
    if (orig == ZeekEndpoint.CLOSED) {
      return respInactive ? "SH" : "S2";
    }
    if (resp == ZeekEndpoint.CLOSED) {
      return origInactive ? "SHR" : "S3";
    }
    if (orig == ZeekEndpoint.SYN_SENT && resp == ZeekEndpoint.INACTIVE) {
      return "S0";
    }
    if (orig == ZeekEndpoint.ESTABLISHED && resp == ZeekEndpoint.ESTABLISHED) {
      return "S1";
    }
    return "OTH";
  }
}
