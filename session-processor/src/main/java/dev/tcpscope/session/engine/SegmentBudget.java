package dev.tcpscope.session.engine;

/**
 * The -l limit over every session of one engine, and the kept-segment records its ended
 * sessions leave behind, reused by new ones so a steady stream of sessions allocates none.
 */
final class SegmentBudget {
  /** Spare records kept at most: enough for a burst of endings, small next to -l. */
  private static final int MAX_SPARE = 4096;

  private final EngineStats stats;
  private final int limit;
  private final KeptSegment[] spare = new KeptSegment[MAX_SPARE];
  private int spareCount;

  SegmentBudget(EngineStats stats, int limit) {
    this.stats = stats;
    this.limit = limit;
  }

  /** Takes one segment from the budget; false (and counted as DropSegment) when none is left. */
  boolean tryKeep() {
    if (stats.keptSegments >= limit) {
      stats.droppedSegments++;
      return false;
    }
    stats.keptSegments++;
    stats.peakKeptSegments = Math.max(stats.peakKeptSegments, stats.keptSegments);
    return true;
  }

  /** Returns the segments of a session that ended. */
  void release(int segments) {
    stats.keptSegments -= segments;
  }

  /** A record to fill: a spare one, or a new one. */
  KeptSegment take() {
    return spareCount > 0 ? spare[--spareCount] : new KeptSegment();
  }

  /** A record nothing refers to any more. */
  void giveBack(KeptSegment k) {
    if (k != null && spareCount < MAX_SPARE) {
      spare[spareCount++] = k;
    }
  }
}
