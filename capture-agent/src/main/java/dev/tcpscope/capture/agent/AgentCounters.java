package dev.tcpscope.capture.agent;

/**
 * The agent's counters as the publishing thread, the statistics printer and the metrics
 * endpoint read them: written by the capture thread about every thousand frames and once a
 * second, so reading them costs the capture loop nothing.
 */
public final class AgentCounters {
  volatile long frames;
  volatile long segments;
  volatile long headerErrors;
  volatile long notTcp;
  volatile long captureClockUs;
  volatile long droppedByCapture;
  volatile long published;
  volatile long publishFailed;
  volatile long droppedByAgent;

  public long frames() {
    return frames;
  }

  public long segments() {
    return segments;
  }

  public long headerErrors() {
    return headerErrors;
  }

  public long notTcp() {
    return notTcp;
  }

  public long captureClockUs() {
    return captureClockUs;
  }

  public long droppedByCapture() {
    return droppedByCapture;
  }

  public long published() {
    return published;
  }

  public long publishFailed() {
    return publishFailed;
  }

  public long droppedByAgent() {
    return droppedByAgent;
  }

  /** miruo-style one-line statistics. */
  public String line() {
    return "frames=" + frames + " segments=" + segments + " header_errors=" + headerErrors
        + " not_tcp=" + notTcp + " published=" + published + " publish_failed=" + publishFailed
        + " dropped_by_agent=" + droppedByAgent + " dropped_by_capture=" + droppedByCapture;
  }
}
