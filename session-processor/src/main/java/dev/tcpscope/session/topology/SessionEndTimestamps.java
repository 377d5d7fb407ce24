package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The event time of a suspicious session: its end in capture time, read from the value. The
 * record timestamp is the broker's append time (tcpscope's topics use LogAppendTime so that a
 * replayed old capture is not deleted by retention on arrival), so hotspot windows must not
 * use it. An undecodable record keeps its record timestamp; the hotspot path skips it anyway.
 */
final class SessionEndTimestamps implements TimestampExtractor {
  private final SingleObjectSerde<SuspiciousSession> sessions =
      TcpscopeSerdes.suspiciousSession();

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof byte[] value) {
      try {
        return sessions.decode(value).getEndUs() / 1000;
      } catch (SerializationException | IllegalArgumentException e) {
        // not a suspicious session: dropped by the hotspot path
      }
    }
    return record.timestamp();
  }
}
