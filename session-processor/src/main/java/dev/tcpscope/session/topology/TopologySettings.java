package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.RuleSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What the topology needs to know: the rules, topic names, how often the wall-clock
 * punctuator looks for silent observers, and where its meters go.
 *
 * @param sessionsTopic where every ended session goes (conn.log-like), or null: off
 */
public record TopologySettings(
    RuleSettings rules,
    String segmentsTopic,
    String suspiciousTopic,
    String deadLetterTopic,
    Duration sweepInterval,
    String sessionsTopic,
    ProcessorMetrics metrics) {

  public static final String STORE = "tcpscope-sessions";

  public TopologySettings {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(segmentsTopic, "segmentsTopic");
    Objects.requireNonNull(suspiciousTopic, "suspiciousTopic");
    Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
    Objects.requireNonNull(metrics, "metrics");
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweep interval must be positive, not " + sweepInterval);
    }
  }

  public static TopologySettings defaults(RuleSettings rules) {
    return new TopologySettings(rules, TcpscopeTopics.SEGMENTS, TcpscopeTopics.SUSPICIOUS_SESSIONS,
        TcpscopeTopics.DEAD_LETTER, Duration.ofSeconds(1), null,
        ProcessorMetrics.unregistered());
  }

  public TopologySettings withSegmentsTopic(String topic) {
    return new TopologySettings(rules, topic, suspiciousTopic, deadLetterTopic, sweepInterval,
        sessionsTopic, metrics);
  }

  public TopologySettings withSuspiciousTopic(String topic) {
    return new TopologySettings(rules, segmentsTopic, topic, deadLetterTopic, sweepInterval,
        sessionsTopic, metrics);
  }

  public TopologySettings withSessionsTopic(String topic) {
    return new TopologySettings(rules, segmentsTopic, suspiciousTopic, deadLetterTopic,
        sweepInterval, topic, metrics);
  }

  public TopologySettings withMetrics(ProcessorMetrics meters) {
    return new TopologySettings(rules, segmentsTopic, suspiciousTopic, deadLetterTopic,
        sweepInterval, sessionsTopic, meters);
  }
}
