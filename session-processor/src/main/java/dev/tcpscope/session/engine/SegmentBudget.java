package dev.tcpscope.session.engine;

/** The -l limit: segments kept for display over all open sessions of one engine. */
public interface SegmentBudget {

  /** Takes one segment from the budget; false (and counted as DropSegment) when none is left. */
  boolean tryKeep();

  /** Returns the segments of a session that ended. */
  void release(int segments);
}
