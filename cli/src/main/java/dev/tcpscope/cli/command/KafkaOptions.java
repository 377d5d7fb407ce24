package dev.tcpscope.cli.command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * How to reach Kafka: the bootstrap servers, plus client settings (TLS, SASL, tuning) from a
 * properties file and from {@code TCPSCOPE_KAFKA_*} environment variables
 * ({@code TCPSCOPE_KAFKA_SECURITY_PROTOCOL=SSL} sets {@code security.protocol}).
 */
public final class KafkaOptions {
  static final String ENV_PREFIX = "TCPSCOPE_KAFKA_";

  @Option(names = "--bootstrap-server", paramLabel = "HOST:PORT",
      defaultValue = "${env:TCPSCOPE_BOOTSTRAP_SERVER}",
      description = "Kafka bootstrap servers (env TCPSCOPE_BOOTSTRAP_SERVER).")
  String bootstrapServer;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client settings (security.protocol, ssl.*, sasl.*, ...).")
  Path kafkaConfig;

  /** The client settings: file first, then environment, then the bootstrap servers. */
  public Properties clientSettings(Map<String, String> environment) throws IOException {
    Properties p = new Properties();
    if (kafkaConfig != null) {
      if (!Files.isReadable(kafkaConfig)) {
        throw new IllegalArgumentException("--kafka-config: cannot read " + kafkaConfig);
      }
      try (InputStream in = Files.newInputStream(kafkaConfig)) {
        p.load(in);
      }
    }
    environment.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
        p.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    if (bootstrapServer != null && !bootstrapServer.isBlank()) {
      p.put("bootstrap.servers", bootstrapServer);
    }
    return p;
  }

  /**
   * The bootstrap servers: the flag (or TCPSCOPE_BOOTSTRAP_SERVER), else {@code
   * bootstrap.servers} of the {@code --kafka-config} file, so that one file can configure an
   * agent installed as a service; a clear error when neither gives them.
   */
  public String requireBootstrapServer() throws IOException {
    if (bootstrapServer != null && !bootstrapServer.isBlank()) {
      return bootstrapServer;
    }
    String fromFile = kafkaConfig == null ? null
        : clientSettings(Map.of()).getProperty("bootstrap.servers");
    if (fromFile == null || fromFile.isBlank()) {
      throw new IllegalArgumentException("--bootstrap-server HOST:PORT is required (or set"
          + " TCPSCOPE_BOOTSTRAP_SERVER, or bootstrap.servers in the --kafka-config file)");
    }
    return fromFile.strip();
  }
}
