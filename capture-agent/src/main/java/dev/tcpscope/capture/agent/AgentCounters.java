package dev.tcpscope.capture.agent;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.source.CaptureStatistics;
import java.util.concurrent.atomic.AtomicLongArray;

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
  volatile long published;
  volatile long publishFailed;
  volatile long droppedByAgent;
  volatile long unpublishedAtShutdown;
  volatile int bufferInUse;
  volatile int bufferCapacity;
  volatile CaptureStatistics capture = CaptureStatistics.NONE;
  final AtomicLongArray byResult = new AtomicLongArray(DecodeResult.all().length);

  public long frames() {
    return frames;
  }

  public long segments() {
    return segments;
  }

  /** L2, IP and TCP header errors together (miruo's header-error counters). */
  public long headerErrors() {
    return headerErrors;
  }

  /** Frames that were fine but carried no TCP header: not IP, not TCP, later fragments. */
  public long notTcp() {
    return notTcp;
  }

  /** Frames by what became of them; {@code SEGMENT} equals {@link #segments()}. */
  public long frames(DecodeResult result) {
    return byResult.get(result.ordinal());
  }

  public long captureClockUs() {
    return captureClockUs;
  }

  public long droppedByCapture() {
    return capture.droppedTotal();
  }

  /** libpcap's counters (received, dropped, dropped by the interface). */
  public CaptureStatistics capture() {
    return capture;
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

  /** Segments not acknowledged when the flush deadline passed at shutdown. */
  public long unpublishedAtShutdown() {
    return unpublishedAtShutdown;
  }

  /** Segments waiting between capture and Kafka, and how many the buffer holds. */
  public int bufferInUse() {
    return bufferInUse;
  }

  public int bufferCapacity() {
    return bufferCapacity;
  }

  /** One line of {@code name=value} words, for logs and the end of a run. */
  public String line() {
    return "frames=" + frames + " segments=" + segments + " header_errors=" + headerErrors
        + " not_tcp=" + notTcp + " published=" + published + " publish_failed=" + publishFailed
        + " dropped_by_agent=" + droppedByAgent + " dropped_by_capture=" + droppedByCapture()
        + (unpublishedAtShutdown > 0 ? " unpublished_at_shutdown=" + unpublishedAtShutdown : "");
  }
}
