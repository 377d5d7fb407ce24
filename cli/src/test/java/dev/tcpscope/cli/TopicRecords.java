package dev.tcpscope.cli;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from its beginning: to the end it has now, or until it stays quiet. */
public final class TopicRecords {
  private TopicRecords() {}

  static <T extends SpecificRecord> List<T> readAll(String bootstrap, String topic,
      SingleObjectSerde<T> serde) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + topic + "-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int quietPolls = 0;
      while (System.nanoTime() < end && (out.isEmpty() || quietPolls < 3)) {
        var polled = consumer.poll(Duration.ofMillis(500));
        quietPolls = polled.isEmpty() ? quietPolls + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : polled) {
          // A topic may carry more than one record type (segments and heartbeats).
          if (serde.isEncodedWithThisSchema(r.value())) {
            out.add(serde.decode(r.value()));
          }
        }
      }
    }
    return out;
  }

  /** Every record of the topic, from its beginning to the end it had when reading began. */
  public static List<ConsumerRecord<byte[], byte[]>> records(Properties client, String topic,
      String isolation) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        if (System.nanoTime() > until) {
          throw new AssertionError("could not read " + topic + " to its end within 60 s");
        }
      }
    }
    return out;
  }
}
