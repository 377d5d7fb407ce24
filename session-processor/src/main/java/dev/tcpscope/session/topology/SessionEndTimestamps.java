package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.v1.SuspiciousSession;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The event time of a suspicious session: its end in capture time, read from the value (which
 * the hotspot source has decoded). The record timestamp is the broker's append time
 * (tcpscope's topics use LogAppendTime so that a replayed old capture is not deleted by
 * retention on arrival), so hotspot windows must not use it. An undecodable record (null)
 * keeps its record timestamp; the hotspot path skips it anyway.
 */
final class SessionEndTimestamps implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof SuspiciousSession session) {
      return session.getEndUs() / 1000;
    }
    return record.timestamp();
  }
}
