package dev.tcpscope.session.viewer;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the anomaly topic without a consumer group (every viewer sees every session),
 * read_committed so only sessions of committed transactions show, and hands each to a sink.
 */
public final class SuspiciousSessionFeed implements AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SingleObjectSerde<SuspiciousSession> serde = TcpscopeSerdes.suspiciousSession();
  private final List<TopicPartition> partitions = new ArrayList<>();
  private long undecodable;

  public SuspiciousSessionFeed(Properties clientSettings, String topic, boolean fromBeginning) {
    Properties p = new Properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tcpscope-watch");
    p.putAll(clientSettings);
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      partitions.add(new TopicPartition(topic, info.partition()));
    }
    consumer.assign(partitions);
    if (fromBeginning) {
      consumer.seekToBeginning(partitions);
    } else {
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // now, not at the first poll: from this moment
    }
  }

  /** Polls once, handing each session to the sink; returns how many were handed over. */
  public int pollOnce(Duration timeout, Consumer<SessionReport> sink) {
    int n = 0;
    try {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
        try {
          sink.accept(SuspiciousSessionMapper.fromAvro(serde.decode(record.value())));
          n++;
        } catch (SerializationException e) {
          undecodable++;
        }
      }
    } catch (WakeupException e) {
      // close() or the shutdown hook asked us to stop
    }
    return n;
  }

  /** True when every partition has been read up to its current (committed) end. */
  public boolean caughtUp() {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (TopicPartition p : partitions) {
      if (consumer.position(p) < ends.get(p)) {
        return false;
      }
    }
    return true;
  }

  public long undecodable() {
    return undecodable;
  }

  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
