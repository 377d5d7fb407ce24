package dev.tcpscope.web.board;

import dev.tcpscope.schemas.v1.AgentHeartbeat;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents table: each observer's last heartbeat, its capture rate over the heartbeats of
 * the last {@link #RATE_SPAN}, and whether it is live, stale (no heartbeat for longer than
 * {@code staleAfter}: agents send one at least every second) or finished (its capture file
 * ended). Staleness is judged on the heartbeats' own send time against the time the caller
 * passes in.
 */
public final class AgentBoard {
  static final Duration RATE_SPAN = Duration.ofSeconds(10);

  private record Sample(long sentAtMs, long frames, long segments) {}

  private static final class Agent {
    AgentHeartbeat last;
    final ArrayDeque<Sample> samples = new ArrayDeque<>();
  }

  /** One row of the table; the rates are null when they cannot be measured (or the agent is not live). */
  public record Row(String observer, String source, String version, String status, long sentAtMs,
      long ageMs, long captureClockUs, long frames, long segments, long headerErrors,
      long published, long droppedByAgent, long droppedByCapture, boolean dropping,
      boolean endOfCapture, Double framesPerSecond, Double segmentsPerSecond) {}

  public record View(long nowMs, long staleAfterMs, List<Row> agents) {}

  private final long staleAfterMs;
  private final Map<String, Agent> agents = new HashMap<>();

  public AgentBoard(Duration staleAfter) {
    if (staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("--stale-after must be positive, not " + staleAfter);
    }
    this.staleAfterMs = staleAfter.toMillis();
  }

  public void add(AgentHeartbeat hb) {
    Agent agent = agents.computeIfAbsent(hb.getObserver(), o -> new Agent());
    AgentHeartbeat last = agent.last;
    if (last != null && hb.getSentAtMs() < last.getSentAtMs()) {
      return; // an older heartbeat read late changes nothing
    }
    if (last != null && (!last.getSource().equals(hb.getSource())
        || hb.getSegments() < last.getSegments() || hb.getFrames() < last.getFrames())) {
      agent.samples.clear(); // restarted or capturing elsewhere: counters start afresh
    }
    agent.last = hb;
    agent.samples.addLast(new Sample(hb.getSentAtMs(), hb.getFrames(), hb.getSegments()));
    while (agent.samples.size() > 2
        && agent.samples.peekFirst().sentAtMs() < hb.getSentAtMs() - RATE_SPAN.toMillis()) {
      agent.samples.removeFirst();
    }
  }

  public View view(long nowMs) {
    List<Row> rows = new ArrayList<>(agents.size());
    for (Agent a : agents.values()) {
      AgentHeartbeat hb = a.last;
      long age = Math.max(0, nowMs - hb.getSentAtMs());
      String status = hb.getEndOfCapture() ? "finished" : age > staleAfterMs ? "stale" : "live";
      Double framesPerSecond = null;
      Double segmentsPerSecond = null;
      Sample first = a.samples.peekFirst();
      Sample newest = a.samples.peekLast();
      long spanMs = newest.sentAtMs() - first.sentAtMs();
      if (status.equals("live") && spanMs >= 500) {
        framesPerSecond = (newest.frames() - first.frames()) * 1000.0 / spanMs;
        segmentsPerSecond = (newest.segments() - first.segments()) * 1000.0 / spanMs;
      }
      rows.add(new Row(hb.getObserver(), hb.getSource(), hb.getVersion(), status,
          hb.getSentAtMs(), age, hb.getCaptureClockUs(), hb.getFrames(), hb.getSegments(),
          hb.getHeaderErrors(), hb.getPublished(), hb.getDroppedByAgent(),
          hb.getDroppedByCapture(), hb.getDropping(), hb.getEndOfCapture(), framesPerSecond,
          segmentsPerSecond));
    }
    rows.sort(Comparator.comparing(Row::observer));
    return new View(nowMs, staleAfterMs, List.copyOf(rows));
  }
}
