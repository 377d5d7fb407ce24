package dev.tcpscope.schemas.serde;

/** The topic names: part of the wire contract, like the schemas. */
public final class TcpscopeTopics {
  private TcpscopeTopics() {}

  /** One TcpSegment per captured segment, key: ConnectionKey. */
  public static final String SEGMENTS = "tcpscope.segments";

  /** Each agent's latest AgentHeartbeat, key: observer id (compacted). */
  public static final String HEARTBEATS = "tcpscope.heartbeats";

  /** One SuspiciousSession per reported session, key: ConnectionKey. */
  public static final String SUSPICIOUS_SESSIONS = "tcpscope.suspicious-sessions";

  /**
   * Suspicious sessions per server endpoint and reason over hopping windows of capture time
   * (Hotspot), key: the UTF-8 string "&lt;server endpoint&gt; &lt;reason&gt;".
   */
  public static final String HOTSPOTS = "tcpscope.hotspots";

  /**
   * Every ended session, suspicious or not, as a SuspiciousSession record without its kept
   * segments (conn.log-like); written only when the processor is asked to. Key: ConnectionKey.
   */
  public static final String SESSIONS = "tcpscope.sessions";

  /** Input the processor could not decode, with the reason in the header "tcpscope.reason". */
  public static final String DEAD_LETTER = "tcpscope.dead-letter";

  /** The header of a dead letter that says why it could not be processed. */
  public static final String DEAD_LETTER_REASON_HEADER = "tcpscope.reason";
}
