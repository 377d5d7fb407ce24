package dev.tcpscope.session.engine;

/**
 * The detection rules' thresholds, with miruo's letters and defaults. Validated here so every
 * front end (analyze, processor, tests) rejects the same bad values with the same words.
 *
 * @param longConnectMs -T: report sessions longer than this (0 = off)
 * @param longDelayMs -t: report a gap between consecutive segments longer than this (0 = off)
 * @param retransmitMs -r: report a retransmission at least this late (0 = ignore them)
 * @param synRetransmit -S: report SYN and SYN+ACK retransmissions
 * @param rstMode -R: 0 ignore RSTs, 1 report RSTs except during close, 2 report all
 * @param fragment -F: report segments in fragmented IP packets
 * @param all --all: report every session
 * @param sessionLimit -L: open sessions kept at most; new ones beyond are dropped and counted
 * @param segmentLimit -l: segments kept for display at most, over all open sessions
 * @param viewData -v: unflagged segments shown before and after each flagged one
 * @param httpMode -m http: show request and status lines (kept for the command line contract)
 */
public record RuleSettings(
    long longConnectMs,
    long longDelayMs,
    long retransmitMs,
    boolean synRetransmit,
    int rstMode,
    boolean fragment,
    boolean all,
    int sessionLimit,
    int segmentLimit,
    int viewData,
    boolean httpMode) {

  /** Idle time after which a session in a half-open or closing state is ended (miruo: 30 s). */
  public static final long TRANSIENT_TIMEOUT_US = 30_000_000L;

  /**
   * How long an ended session keeps its slot, so that late segments of it (a resent FIN, a RST
   * after the close) are recognised instead of starting a bogus partial session. Short: at
   * high connection rates every lingering slot costs memory.
   */
  public static final long ENDED_LINGER_US = 3_000_000L;

  /** Idle time after which any session is ended (miruo: 900 s). */
  public static final long IDLE_TIMEOUT_US = 900_000_000L;

  public RuleSettings {
    requireNonNegative("-T/--long-connect", longConnectMs);
    requireNonNegative("-t/--long-delay", longDelayMs);
    requireNonNegative("-r/--retransmit", retransmitMs);
    if (rstMode < 0 || rstMode > 2) {
      throw new IllegalArgumentException(
          "-R/--rst must be 0 (ignore), 1 (report RST except during close) or 2 (report all),"
              + " not " + rstMode);
    }
    if (sessionLimit < 1) {
      throw new IllegalArgumentException("-L/--session-limit must be at least 1, not " + sessionLimit);
    }
    if (segmentLimit < 1) {
      throw new IllegalArgumentException("-l/--segment-limit must be at least 1, not " + segmentLimit);
    }
    requireNonNegative("-v/--view-data", viewData);
  }

  private static void requireNonNegative(String option, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(option + " must be 0 or more milliseconds, not " + value);
    }
  }

  /** miruo's defaults, with limits sized for a fleet rather than one terminal. */
  public static RuleSettings defaults() {
    return new RuleSettings(0, 0, 1000, true, 1, true, false, 65_536, 1_048_576, 0, false);
  }

  public RuleSettings withAll(boolean value) {
    return new RuleSettings(
        longConnectMs, longDelayMs, retransmitMs, synRetransmit, rstMode, fragment, value,
        sessionLimit, segmentLimit, viewData, httpMode);
  }
}
