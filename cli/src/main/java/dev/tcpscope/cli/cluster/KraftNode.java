package dev.tcpscope.cli.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One node of a {@link LocalCluster}: broker and controller in one KRaft server, in a process
 * of its own so that it can be killed for real. The log directory is formatted on first start
 * (with the cluster id the file names) and reused after, so a killed node can come back.
 */
final class KraftNode {
  /** The line a started node prints; the parent waits for it. */
  static final String RUNNING = "tcpscope kraft node running: ";
  /** Not a broker setting: the cluster id the log directory is formatted with. */
  static final String CLUSTER_ID = "tcpscope.cluster.id";

  private KraftNode() {}

  static void run(Path configFile) throws IOException, InterruptedException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(configFile)) {
      props.load(in);
    }
    String clusterId = (String) props.remove(CLUSTER_ID);
    Path logDir = Path.of(props.getProperty("log.dirs"));
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      Path brokerConfig = configFile.resolveSibling(configFile.getFileName() + ".broker");
      try (var out = Files.newOutputStream(brokerConfig)) {
        props.store(out, "without the cluster id, for the storage tool");
      }
      ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
      // A static quorum (controller.quorum.voters): no --standalone or --initial-controllers.
      int formatted = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c",
          brokerConfig.toString()}, new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
      if (formatted != 0) {
        throw new IOException("formatting " + logDir + " failed: "
            + formatOutput.toString(StandardCharsets.UTF_8));
      }
    }
    KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      server.awaitShutdown();
    }, "tcpscope-kraft-node-stop"));
    server.startup();
    System.err.println(RUNNING + props.getProperty("node.id"));
    server.awaitShutdown();
  }
}
