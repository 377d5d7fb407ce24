package dev.tcpscope.cli.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) running in this process,
 * from Kafka's own server artifacts: the log directory is formatted with the storage tool's
 * API, then the KRaft server starts on free loopback ports. Everything lives in a temporary
 * directory that {@link #close()} (or the JVM's exit) removes.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private final Path directory;
  private final int port;
  private final Properties props;
  private KafkaRaftServer server;
  private final Thread cleanupOnExit;
  private boolean closed;

  private EmbeddedKafkaBroker(Path directory, int port, Properties props, KafkaRaftServer server) {
    this.directory = directory;
    this.port = port;
    this.props = props;
    this.server = server;
    this.cleanupOnExit = new Thread(this::shutdownQuietly, "tcpscope-broker-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
  }

  /** Formats a fresh log directory and starts the broker; returns once it accepts clients. */
  public static EmbeddedKafkaBroker start() throws IOException {
    return start(new Properties());
  }

  /** As {@link #start()}, with broker settings that override the defaults. */
  public static EmbeddedKafkaBroker start(Properties overrides) throws IOException {
    Path directory = Files.createTempDirectory("tcpscope-kafka-");
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
      props.put("listeners",
          "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", directory.resolve("logs").toString());
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("auto.create.topics.enable", "false");
      props.put("num.partitions", "1");
      props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
      // Records carry their capture time, and a replayed capture is often older than the
      // default retention (7 days) and roll time: the broker then rolled a log segment at every
      // append and deleted unread segments 30 s after start (LocalLoadIT lost a third of its
      // segments so). A broker that lives as long as its run keeps what it is given.
      props.put("log.retention.ms", "-1");
      props.put("log.roll.ms", String.valueOf(Long.MAX_VALUE));
      props.putAll(overrides);
      Path config = directory.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "tcpscope embedded broker");
      }
      ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
      int formatted = StorageTool.execute(
          new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(),
              "--standalone"},
          new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
      if (formatted != 0) {
        throw new IOException("formatting the broker's log directory failed: "
            + formatOutput.toString(StandardCharsets.UTF_8));
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      return new EmbeddedKafkaBroker(directory, brokerPort, props, server);
    } catch (IOException | RuntimeException e) {
      deleteRecursively(directory);
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT}, for clients' bootstrap.servers. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public Path directory() {
    return directory;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Stops the broker but keeps its log directory and ports, so {@link #restart()} brings the
   * same cluster back (outage tests: clients reconnect to the same address).
   */
  public synchronized void stopServer() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts the broker again on the same log directory and ports after {@link #stopServer()}. */
  public synchronized void restart() {
    if (closed || server != null) {
      throw new IllegalStateException(closed ? "the broker was closed" : "the broker is running");
    }
    KafkaRaftServer again = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    again.startup();
    server = again;
  }

  private synchronized void shutdownQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (server != null) {
        server.shutdown();
        server.awaitShutdown();
      }
    } catch (RuntimeException e) {
      // stopping anyway; the directory is removed below
    }
    deleteRecursively(directory);
  }

  @Override
  public void close() {
    shutdownQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down and runs the hook itself
    }
  }

  /** Removes a directory tree, best effort. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort: report nothing, a later run uses a fresh directory
    }
  }
}
