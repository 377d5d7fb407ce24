package dev.tcpscope.capture.agent;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.source.CaptureStatistics;
import java.util.Locale;

/**
 * The agent's statistics block for {@code -s N}, laid out as miruo's (and {@code analyze}'s):
 * what was captured, what became of each frame, what reached Kafka and what was dropped where.
 */
public final class AgentStatisticsText {
  private AgentStatisticsText() {}

  /**
   * @param source the interface or file
   * @param elapsedSeconds since the previous block (for the rates), 0 for none
   * @param previous the counters at the previous block, or null
   */
  public static String format(String source, AgentCounters c, double elapsedSeconds,
      long previousFrames, long previousPublished) {
    StringBuilder out = new StringBuilder(640);
    out.append("======= tcpscope agent statistics: ").append(source).append(" =======\n");
    line(out, "Frames", c.frames(), rate(c.frames() - previousFrames, elapsedSeconds));
    line(out, "Segments", c.segments(), "");
    line(out, "L2 header errors", c.frames(DecodeResult.L2_ERROR), "");
    line(out, "IP header errors", c.frames(DecodeResult.IP_ERROR), "");
    line(out, "TCP header errors", c.frames(DecodeResult.TCP_ERROR), "");
    line(out, "Not IP", c.frames(DecodeResult.NOT_IP), "");
    line(out, "Not TCP", c.frames(DecodeResult.NOT_TCP), "");
    line(out, "Later fragments", c.frames(DecodeResult.NON_FIRST_FRAGMENT), "");
    line(out, "Unsupported link", c.frames(DecodeResult.UNSUPPORTED_LINK), "");
    line(out, "Published", c.published(), rate(c.published() - previousPublished, elapsedSeconds));
    line(out, "Publish failures", c.publishFailed(), "");
    line(out, "DropByAgent", c.droppedByAgent(), "");
    out.append(String.format(Locale.ROOT, "%-18s: %d of %d%n", "Buffered", c.bufferInUse(),
        c.bufferCapacity()));
    CaptureStatistics pcap = c.capture();
    if (pcap != CaptureStatistics.NONE) {
      line(out, "pcap received", pcap.received(), "");
      line(out, "pcap dropped", pcap.dropped(), "");
      line(out, "pcap if dropped", pcap.droppedByInterface(), "");
    }
    return out.toString();
  }

  private static String rate(long delta, double seconds) {
    return seconds <= 0 ? "" : String.format(Locale.ROOT, " (%.0f/s)", delta / seconds);
  }

  private static void line(StringBuilder out, String name, long value, String suffix) {
    out.append(String.format(Locale.ROOT, "%-18s: %d%s%n", name, value, suffix));
  }
}
