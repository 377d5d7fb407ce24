package dev.tcpscope.session.engine;

/**
 * One side of a connection as Zeek's TCP_Endpoint tracks it: its state, its sequence space
 * (start, highest sent, highest acknowledged by the peer), what its history letters were last
 * written for, the counters behind the logarithmic letters, and how far its byte stream was
 * seen without a hole (for the content-gap letter). Sequence numbers are 32-bit values
 * (int, compared as distances); relative ones are signed distances from {@link #startSeq}.
 */
final class ZeekEndpoint {
  EndpointState state = EndpointState.INACTIVE;
  EndpointState prevState = EndpointState.INACTIVE;
  int startSeq;
  int lastSeq;
  int ackSeq;
  int histLastSyn;
  int histLastFin;
  int histLastRst;
  int finCount;
  /** Relative sequence number just past the FIN. */
  int finSeq;

  boolean didClose;
  int retransmits;
  int zeroWindows;
  int gaps;
  int badChecksums;
  /** Relative sequence up to which the stream was seen without a hole (Zeek: last_reassem_seq). */
  int reassembled = 1;

  /** The highest acknowledgement already compared with {@link #reassembled} (trim_seq). */
  int trimmed = 1;

  /** One run of bytes seen above a hole, [aboveHoleStart, aboveHoleEnd); start -1: none. */
  int aboveHoleStart = -1;

  int aboveHoleEnd;

  void setState(EndpointState next) {
    if (next != state) {
      prevState = state;
      state = next;
    }
  }

  /** Signed distance of {@code seq} from the start of this side's sequence space. */
  int relative(long seq) {
    return (int) seq - startSeq;
  }

  void initSequence(long start, long last) {
    startSeq = (int) start;
    ackSeq = startSeq;
    lastSeq = (int) last;
  }

  /** Zeek's Size(): bytes of sequence space used, without the SYN and FIN octets. */
  long size(ZeekEndpoint peer) {
    if (prevState == EndpointState.SYN_SENT && state == EndpointState.RESET
        && peer.state == EndpointState.INACTIVE && !noDataAcked()) {
      return 0; // a half-open connection discovered and aborted
    }
    long last = Integer.toUnsignedLong(lastSeq - startSeq);
    long acked = Integer.toUnsignedLong(ackSeq - startSeq);
    long size = Math.max(last, acked);
    if (size != 0) {
      size--;
    }
    if (finCount > 0 && size != 0) {
      size--;
    }
    return size;
  }

  private boolean noDataAcked() {
    return ackSeq == startSeq || ackSeq == startSeq + 1;
  }

  /**
   * Bytes from {@code seq} (relative) seen on the wire: the stream advances over them, or they
   * wait above a hole (one run is remembered; a second one merges with it).
   */
  void dataSent(int seq, int length) {
    int acked = ackSeq - startSeq;
    int upper = seq + length;
    if (seq < acked) {
      if (upper <= acked) {
        return; // delivered and acknowledged already
      }
      seq = acked;
    }
    if (seq <= reassembled) {
      reassembled = Math.max(reassembled, upper);
      if (aboveHoleStart >= 0 && aboveHoleStart <= reassembled) {
        reassembled = Math.max(reassembled, aboveHoleEnd);
        aboveHoleStart = -1;
      }
    } else if (aboveHoleStart < 0) {
      aboveHoleStart = seq;
      aboveHoleEnd = upper;
    } else {
      aboveHoleStart = Math.min(aboveHoleStart, seq);
      aboveHoleEnd = Math.max(aboveHoleEnd, upper);
    }
  }

  /**
   * The peer acknowledged up to {@code seq} (relative): bytes below it that this side's stream
   * never showed are a content gap. Returns how many gaps (holes) the acknowledgement revealed.
   */
  int ackReceived(int seq, boolean partialConnection) {
    if (finCount > 0 && seq >= finSeq) {
      seq = finSeq - 1;
    }
    if (seq <= trimmed) {
      return 0;
    }
    trimmed = seq;
    if (seq <= reassembled || (seq <= 2 && partialConnection)) {
      return 0;
    }
    int holes = 0;
    if (aboveHoleStart >= 0 && aboveHoleStart < seq) {
      holes++; // the hole below the run
      reassembled = aboveHoleEnd;
      aboveHoleStart = -1;
    }
    if (seq > reassembled) {
      holes++;
    }
    reassembled = Math.max(reassembled, seq);
    return holes;
  }

  /** Whether Zeek records gaps for this side: both established, or closed from established. */
  boolean cleanlyOpen() {
    return state == EndpointState.ESTABLISHED
        || (state == EndpointState.CLOSED && prevState == EndpointState.ESTABLISHED);
  }
}
