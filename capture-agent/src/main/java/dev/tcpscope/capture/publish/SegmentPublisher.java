package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
import java.time.Duration;

/** Where decoded segments go: Kafka in production, anything else in tests. */
public interface SegmentPublisher extends AutoCloseable {

  /** Publishes one segment; the segment object is reused by the caller after this returns. */
  void publish(DecodedSegment segment);

  /** Waits until everything published so far is acknowledged, or the deadline passes. */
  void flush(Duration deadline);

  @Override
  void close();
}
