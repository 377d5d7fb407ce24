package dev.tcpscope.cli;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning until it stays quiet: the records of one schema on it. */
final class TopicRecords {
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
}
