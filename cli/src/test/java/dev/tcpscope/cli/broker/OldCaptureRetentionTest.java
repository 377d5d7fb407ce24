package dev.tcpscope.cli.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Records stamped with the capture time of an old capture, as a replayed file produces them,
 * outlive the broker's retention check on the topics tcpscope creates. On a topic with
 * Kafka's default timestamps (CreateTime) the same records are deleted at the first check:
 * that control shows the check ran. This once lost anomalies, and whole replays.
 */
class OldCaptureRetentionTest {
  private static final int RECORDS = 200;
  /** A capture from eleven months before the broker's clock, beyond the 7 days retained. */
  private static final long CAPTURED_MS = System.currentTimeMillis() - TimeUnit.DAYS.toMillis(330);
  private static final String CONTROL = "control.create-time";

  @Test
  void aReplayedOldCaptureOutlivesTheRetentionCheck() throws Exception {
    Properties overrides = new Properties();
    overrides.put("log.retention.check.interval.ms", "500");
    // Kafka's default retention, as a cluster has it (the embedded broker keeps everything)
    overrides.put("log.retention.ms", String.valueOf(TimeUnit.DAYS.toMillis(7)));
    overrides.put("log.initial.task.delay.ms", "0");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(overrides)) {
      Properties client = broker.clientSettings();
      List<String> ours = List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.SUSPICIOUS_SESSIONS,
          TcpscopeTopics.DEAD_LETTER, "tcpscope.suspicious-sessions.rejudged");
      TopicSetup.ensure(client, broker.bootstrapServers(), ours, 1, (short) 1);
      try (Admin admin = Admin.create(client)) {
        admin.createTopics(List.of(new NewTopic(CONTROL, 1, (short) 1))).all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client,
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (String topic : ours) {
          produceOld(producer, topic);
        }
        produceOld(producer, CONTROL);
      }

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> assertThat(firstOffsets(client, List.of(CONTROL)))
              .as("the retention check deleted the old records of a CreateTime topic")
              .containsEntry(CONTROL, (long) RECORDS));
      Thread.sleep(2000); // a few more checks
      assertThat(firstOffsets(client, ours)).as("what the retention check left of ours")
          .isEqualTo(ours.stream().collect(Collectors.toMap(t -> t, t -> 0L)));
    }
  }

  private static void produceOld(KafkaProducer<byte[], byte[]> producer, String topic)
      throws Exception {
    for (int i = 0; i < RECORDS; i++) {
      producer.send(new ProducerRecord<>(topic, 0, CAPTURED_MS + i, new byte[] {(byte) i},
          new byte[] {1, 2, 3})).get(30, TimeUnit.SECONDS);
    }
  }

  /** The first offset still held by each topic's only partition. */
  private static Map<String, Long> firstOffsets(Properties client, List<String> topics) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().map(t -> new TopicPartition(t, 0))
          .toList();
      return consumer.beginningOffsets(partitions).entrySet().stream()
          .collect(Collectors.toMap(e -> e.getKey().topic(), Map.Entry::getValue));
    }
  }
}
