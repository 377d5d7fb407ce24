package dev.tcpscope.session.format;

import dev.tcpscope.session.engine.EngineStats;
import dev.tcpscope.session.engine.Reason;

/** miruo's statistics block, printed at the end of a file and every -s seconds. */
public final class StatisticsText {
  private StatisticsText() {}

  /**
   * @param headerErrors the decoder's counters as {@code name=value} words (L2, IP, TCP errors
   *     and the frames that were not TCP), printed as they are
   */
  public static String format(EngineStats s, long frames, String headerErrors) {
    StringBuilder out = new StringBuilder(512);
    out.append("======= tcpscope statistics =======\n");
    out.append(String.format("Frames           : %d%n", frames));
    out.append(String.format("Segments         : %d%n", s.segments()));
    out.append(String.format("Sessions         : %d (reported %d)%n", s.sessions(), s.reported()));
    for (Reason reason : Reason.values()) {
      if (s.reason(reason) > 0) {
        out.append(String.format("  %-15s: %d%n", reason.name(), s.reason(reason)));
      }
    }
    out.append(String.format("Open sessions    : %d (peak %d)%n", s.open(), s.peakOpen()));
    out.append(String.format("Kept segments    : %d (peak %d)%n", s.keptSegments(), s.peakKeptSegments()));
    out.append(String.format("DropSession      : %d%n", s.droppedSessions()));
    out.append(String.format("DropSegment      : %d%n", s.droppedSegments()));
    out.append(String.format("Late segments    : %d%n", s.lateSegments()));
    out.append(String.format("Header errors    : %s%n", headerErrors));
    return out.toString();
  }
}
