package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import java.time.Duration;

/** Where decoded segments and heartbeats go: Kafka in production. Called from one thread. */
public interface SegmentPublisher extends AutoCloseable {

  /** Publishes one segment; the segment object is reused by the caller after this returns. */
  void publish(DecodedSegment segment);

  /** Publishes a heartbeat, in order after every segment published before it. */
  void heartbeat(AgentHeartbeat heartbeat);

  /** Segments acknowledged so far. */
  long acknowledged();

  /** Segments that could not be published (counted in the send callback). */
  long failed();

  /**
   * Waits until everything published so far is acknowledged, or the deadline passes.
   *
   * @return true when everything was acknowledged (or failed) in time
   */
  boolean flush(Duration deadline);

  /** Closes; after a flush that missed its deadline, at once, abandoning what is unsent. */
  @Override
  void close();
}
