package dev.tcpscope.session.runtime;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The processor's Kafka Streams settings; the caller's (TLS, SASL, tuning) override them. */
public final class StreamsProperties {
  private StreamsProperties() {}

  public static Properties of(
      String bootstrapServers,
      String applicationId,
      String processingGuarantee,
      Path stateDir,
      Properties clientSettings) {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    // Segments are judged in capture order per connection; read from the start of the topic
    // on first start so nothing published before the processor came up is missed.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.putAll(clientSettings);
    return p;
  }
}
