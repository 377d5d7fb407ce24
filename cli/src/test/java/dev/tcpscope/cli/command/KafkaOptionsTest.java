package dev.tcpscope.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka client settings for TLS and SASL: from a file, then the environment, then the flag. */
class KafkaOptionsTest {

  private static KafkaOptions options(String bootstrap, Path config) {
    KafkaOptions o = new KafkaOptions();
    o.bootstrapServer = bootstrap;
    o.kafkaConfig = config;
    return o;
  }

  @Test
  void fileThenEnvironmentThenBootstrapFlag(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("client.properties");
    Files.writeString(config, String.join("\n",
        "security.protocol=SASL_SSL",
        "sasl.mechanism=SCRAM-SHA-512",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"agent\" password=\"secret\";",
        "ssl.truststore.location=/etc/tcpscope/truststore.p12",
        "client.id=from-file",
        "bootstrap.servers=file:9092", ""));
    Map<String, String> env = Map.of(
        "TCPSCOPE_KAFKA_CLIENT_ID", "from-env",
        "TCPSCOPE_KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit",
        "TCPSCOPE_BOOTSTRAP_SERVER", "not-a-client-setting:1",
        "PATH", "/usr/bin");

    Properties p = options("flag:9093", config).clientSettings(env);

    assertThat(p).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/etc/tcpscope/truststore.p12")
        .containsEntry("ssl.truststore.password", "changeit")
        .containsEntry("client.id", "from-env")
        .containsEntry("bootstrap.servers", "flag:9093");
    assertThat(p.getProperty("sasl.jaas.config")).endsWith("password=\"secret\";");
    assertThat(p).doesNotContainKey("path").doesNotContainKey("bootstrap.server");
  }

  @Test
  void theClientsSettingsOverrideTheAgentsProducerDefaults() {
    Properties client = new Properties();
    client.put("compression.type", "zstd");
    client.put("security.protocol", "SSL");

    Properties producer = KafkaSegmentPublisher.producerSettings(client);

    assertThat(producer).containsEntry("compression.type", "zstd")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all");
  }

  @Test
  void anUnreadableFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("absent.properties");

    assertThatThrownBy(() -> options("h:1", missing).clientSettings(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--kafka-config").hasMessageContaining("absent.properties");
  }

  @Test
  void theConfigFileAloneCanNameTheBrokers(@TempDir Path dir) throws Exception {
    // How the systemd unit runs the agent: everything in /etc/tcpscope/agent.properties.
    Path config = dir.resolve("agent.properties");
    Files.writeString(config, "bootstrap.servers = kafka-1:9092,kafka-2:9092 \nacks=all\n");
    assertThat(options(null, config).requireBootstrapServer())
        .isEqualTo("kafka-1:9092,kafka-2:9092");
    assertThat(options("flag:9093", config).requireBootstrapServer()).isEqualTo("flag:9093");

    Files.writeString(config, "acks=all\n");
    assertThatThrownBy(() -> options(null, config).requireBootstrapServer())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--bootstrap-server").hasMessageContaining("bootstrap.servers");
    assertThatThrownBy(() -> options(null, null).requireBootstrapServer())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
