package dev.tcpscope.session.engine;

/** miruo's statistics block: sessions by outcome, open and peak counts, drops. */
public final class EngineStats {
  long sessions;
  long reported;
  final long[] byReason = new long[Reason.values().length];
  long open;
  long peakOpen;
  long keptSegments;
  long peakKeptSegments;
  long droppedSessions;
  long droppedSegments;
  long lateSegments;
  long segments;
  long partialSessions;
  /** Capture times of the first and the newest segment (Long.MIN_VALUE: none yet). */
  long firstUs = Long.MIN_VALUE;

  long lastUs = Long.MIN_VALUE;

  /** Sessions first seen mid-stream. */
  public long partialSessions() {
    return partialSessions;
  }

  /** Capture time covered so far: first to newest segment, in microseconds. */
  public long captureSpanUs() {
    return firstUs == Long.MIN_VALUE ? 0 : lastUs - firstUs;
  }

  public long sessions() {
    return sessions;
  }

  public long reported() {
    return reported;
  }

  public long reason(Reason reason) {
    return byReason[reason.ordinal()];
  }

  public long open() {
    return open;
  }

  public long peakOpen() {
    return peakOpen;
  }

  public long keptSegments() {
    return keptSegments;
  }

  public long peakKeptSegments() {
    return peakKeptSegments;
  }

  /** New sessions refused because -L open sessions were already tracked (miruo: DropSession). */
  public long droppedSessions() {
    return droppedSessions;
  }

  /** Segments not kept for display because of -l (miruo: DropSegment). */
  public long droppedSegments() {
    return droppedSegments;
  }

  /** Segments of a session that had already ended (a late retransmission, a RST after close). */
  public long lateSegments() {
    return lateSegments;
  }

  public long segments() {
    return segments;
  }
}
