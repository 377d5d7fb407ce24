package dev.tcpscope.session.format;

import dev.tcpscope.session.engine.EngineStats;
import dev.tcpscope.session.engine.Reason;
import dev.tcpscope.session.engine.RuleSettings;

/**
 * miruo's statistics block ("Session Statistics"), printed at the end of a file and every -s
 * seconds of capture time: sessions in total, reported ("Lookup") and per reason, the rule
 * thresholds, open and peak sessions and kept segments against their limits, the drops, and
 * the header errors per layer. tcpscope adds partial sessions, late segments and what the
 * decoder set aside besides header errors.
 */
public final class StatisticsText {
  private StatisticsText() {}

  /**
   * What the capture side counted: frames read, TCP segments decoded, frames cut short at the
   * link, IP and TCP layer, and the other frames the decoder set aside ({@code name=value}
   * words, e.g. {@code not_ip=3}; empty when none).
   */
  public record Capture(long frames, long segments, long l2Errors, long ipErrors,
      long tcpErrors, String otherFrames) {}

  public static String format(EngineStats s, RuleSettings rules, Capture capture) {
    StringBuilder out = new StringBuilder(1024);
    long seconds = s.captureSpanUs() / 1_000_000;
    line(out, "===== Session Statistics =====");
    row(out, "Capture Time", String.format("%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
        seconds % 60));
    row(out, "Total Sessions", s.sessions());
    row(out, "  Lookup", s.reported());
    for (Reason reason : Reason.values()) {
      row(out, "    " + reason.name(), s.reason(reason));
    }
    row(out, "  Partial", s.partialSessions());
    line(out, "------------------------------");
    row(out, "LongConnectTime", rules.longConnectMs() + " [ms]");
    row(out, "LongDelayTime", rules.longDelayMs() + " [ms]");
    row(out, "RetransmitTime", rules.retransmitMs() + " [ms]");
    line(out, "------------------------------");
    row(out, "ActiveSession", s.open());
    row(out, "ActiveSessionMax", s.peakOpen());
    row(out, "ActiveSessionLim", rules.sessionLimit());
    row(out, "ActiveSegment", s.keptSegments());
    row(out, "ActiveSegmentMax", s.peakKeptSegments());
    row(out, "ActiveSegmentLim", rules.segmentLimit());
    row(out, "DropSession", s.droppedSessions());
    row(out, "DropSegment", s.droppedSegments());
    row(out, "LateSegment", s.lateSegments());
    line(out, "------------------------------");
    row(out, "Frames", capture.frames());
    row(out, "Segments", capture.segments());
    line(out, "===== Header Error Count =====");
    row(out, "L2", capture.l2Errors());
    row(out, "IP", capture.ipErrors());
    row(out, "TCP", capture.tcpErrors());
    if (!capture.otherFrames().isEmpty()) {
      row(out, "Other frames", capture.otherFrames());
    }
    line(out, "==============================");
    return out.toString();
  }

  private static void row(StringBuilder out, String name, Object value) {
    out.append(String.format("%-18s: %s%n", name, value));
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append(System.lineSeparator());
  }
}
