package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes segments to Kafka: one idempotent producer per agent (so per observer and
 * partition, segments arrive in capture order), acks=all, lz4; the record timestamp is the
 * capture time. Failures are counted in the send callback, never thrown at the capture loop.
 */
public final class KafkaSegmentPublisher implements SegmentPublisher {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final SegmentRecords records;
  private final SingleObjectSerde<ConnectionKey> keys = TcpscopeSerdes.connectionKey();
  private final SingleObjectSerde<TcpSegment> values = TcpscopeSerdes.tcpSegment();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private List<PartitionInfo> segmentPartitions;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong failedHeartbeats = new AtomicLong();
  private final AtomicReference<Exception> lastFailure = new AtomicReference<>();
  private volatile boolean flushedInTime = true;
  private final SegmentEncoder encoder;
  /** One callback for every segment (no allocation per send). */
  private final Callback countSegment = (metadata, exception) -> {
    if (exception == null) {
      acknowledged.incrementAndGet();
    } else {
      failed.incrementAndGet();
      lastFailure.set(exception);
    }
  };

  public KafkaSegmentPublisher(Properties clientSettings, String topic, SegmentRecords records) {
    this.producer =
        new KafkaProducer<>(
            producerSettings(clientSettings), new ByteArraySerializer(), new ByteArraySerializer());
    this.topic = topic;
    this.records = records;
    this.encoder = new SegmentEncoder(records.observer(), records.source());
  }

  /** The agent's producer settings; the caller's (TLS, SASL, tuning) override the defaults. */
  public static Properties producerSettings(Properties clientSettings) {
    Properties p = new Properties();
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "tcpscope-agent");
    p.putAll(clientSettings);
    return p;
  }

  @Override
  public void publish(DecodedSegment segment) {
    byte[] key;
    byte[] value;
    if (encoder.supports()) {
      key = encoder.key(segment);
      value = encoder.value(segment);
    } else {
      key = keys.encode(records.key(segment));
      value = values.encode(records.value(segment));
    }
    long timestampMs = segment.tsUs / 1000;
    try {
      producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value), countSegment);
    } catch (RuntimeException e) {
      // e.g. no metadata within max.block.ms while the broker is unreachable
      failed.incrementAndGet();
      lastFailure.set(e);
    }
  }

  /**
   * To every partition of the segment topic (so every processor task sees the observer's
   * clock advance, in order with its segments) and to the heartbeat topic (the fleet view).
   */
  @Override
  public void heartbeat(AgentHeartbeat heartbeat) {
    byte[] key = heartbeat.getObserver().getBytes(StandardCharsets.UTF_8);
    byte[] value = heartbeats.encode(heartbeat);
    long timestampMs = heartbeat.getCaptureClockUs() / 1000;
    try {
      if (segmentPartitions == null) {
        segmentPartitions = producer.partitionsFor(topic);
      }
      for (PartitionInfo partition : segmentPartitions) {
        producer.send(new ProducerRecord<>(topic, partition.partition(), timestampMs, key, value),
            this::countHeartbeat);
      }
      producer.send(new ProducerRecord<>(TcpscopeTopics.HEARTBEATS, null, timestampMs, key, value),
          this::countHeartbeat);
    } catch (RuntimeException e) {
      // metadata not available (broker unreachable): the next heartbeat tries again
      failedHeartbeats.incrementAndGet();
      lastFailure.set(e);
    }
  }

  private void countHeartbeat(org.apache.kafka.clients.producer.RecordMetadata metadata,
      Exception exception) {
    if (exception != null) {
      failedHeartbeats.incrementAndGet();
      lastFailure.set(exception);
    }
  }

  @Override
  public boolean flush(Duration deadline) {
    // KafkaProducer.flush has no timeout: wait for it on another thread, up to the deadline.
    Thread flusher = new Thread(producer::flush, "tcpscope-agent-flush");
    flusher.setDaemon(true);
    flusher.start();
    try {
      flusher.join(Math.max(1, deadline.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushedInTime = !flusher.isAlive();
    return flushedInTime;
  }

  @Override
  public long acknowledged() {
    return acknowledged.get();
  }

  @Override
  public long failed() {
    return failed.get();
  }

  public long failedHeartbeats() {
    return failedHeartbeats.get();
  }

  public Exception lastFailure() {
    return lastFailure.get();
  }

  @Override
  public void close() {
    producer.close(flushedInTime ? Duration.ofSeconds(5) : Duration.ZERO);
  }

  /** The Kafka producer's own metrics, for the metrics endpoint. */
  public KafkaProducer<byte[], byte[]> producer() {
    return producer;
  }
}
