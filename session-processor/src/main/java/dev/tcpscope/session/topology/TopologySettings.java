package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.RuleSettings;
import java.time.Duration;

/**
 * What the topology needs to know: the rules, topic names, and how often idle sessions are
 * swept (on stream time, so tests are deterministic and replays behave as live capture).
 */
public record TopologySettings(
    RuleSettings rules,
    String segmentsTopic,
    String suspiciousTopic,
    String deadLetterTopic,
    Duration sweepInterval) {

  public static final String STORE = "tcpscope-sessions";

  public TopologySettings {
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("sweep interval must be positive, not " + sweepInterval);
    }
  }

  public static TopologySettings defaults(RuleSettings rules) {
    return new TopologySettings(rules, TcpscopeTopics.SEGMENTS, TcpscopeTopics.SUSPICIOUS_SESSIONS,
        TcpscopeTopics.DEAD_LETTER, Duration.ofSeconds(1));
  }
}
