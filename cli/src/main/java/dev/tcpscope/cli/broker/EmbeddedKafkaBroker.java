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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
  private final Properties props;
  private KafkaRaftServer server;
  private final Thread cleanupOnExit;
  private boolean closed;

  private EmbeddedKafkaBroker(Path directory, Properties props, KafkaRaftServer server) {
    this.directory = directory;
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
    return start(overrides, List.of());
  }

  /**
   * A combined broker and controller on loopback (PLAINTEXT, and CONTROLLER for the quorum)
   * with Kafka's internal topics sized for {@code replication} nodes, {@code minInSync} of
   * them in sync, {@code internalPartitions} partitions each (Kafka's 50 take seconds to
   * create on a small machine): what the embedded broker and each node of {@code
   * bin/tcpscope cluster} share. The caller adds how the node finds its quorum.
   */
  public static Properties nodeSettings(int nodeId, int brokerPort, int controllerPort,
      Path logDir, int replication, int minInSync, int internalPartitions) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(nodeId));
    p.put("listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("offsets.topic.replication.factor", String.valueOf(replication));
    p.put("offsets.topic.num.partitions", String.valueOf(internalPartitions));
    p.put("transaction.state.log.replication.factor", String.valueOf(replication));
    p.put("transaction.state.log.min.isr", String.valueOf(minInSync));
    p.put("transaction.state.log.num.partitions", String.valueOf(internalPartitions));
    p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
    p.put("share.coordinator.state.topic.min.isr", String.valueOf(minInSync));
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  /**
   * As {@link #start(Properties)}, with more arguments for the storage tool's format: {@code
   * --add-scram SCRAM-SHA-512=[name=admin,password=...]} makes credentials that exist before
   * the first client connects (a secured cluster's first administrator). Overrides may replace
   * the listeners (ports from {@link #freePort()}); clients then reach the first advertised one.
   */
  public static EmbeddedKafkaBroker start(Properties overrides, List<String> formatArguments)
      throws IOException {
    Path directory = Files.createTempDirectory("tcpscope-kafka-");
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      Properties props = nodeSettings(1, brokerPort, controllerPort,
          directory.resolve("logs"), 1, 1, 1);
      props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
      props.put("num.partitions", "1");
      props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
      // tcpscope's own topics stamp append time (TopicSetup), but Kafka Streams' internal
      // topics keep the records' capture time, which for a replayed capture is often older
      // than the default retention and roll time (7 days): the broker then rolls a log segment
      // at every append and deletes by age. A broker that lives as long as its run keeps what
      // it is given.
      props.put("log.retention.ms", "-1");
      props.put("log.roll.ms", String.valueOf(Long.MAX_VALUE));
      props.putAll(overrides);
      Path config = directory.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        props.store(out, "tcpscope embedded broker");
      }
      ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
      List<String> format = new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(),
          "-c", config.toString(), "--standalone"));
      format.addAll(formatArguments);
      int formatted = StorageTool.execute(format.toArray(String[]::new),
          new PrintStream(formatOutput, true, StandardCharsets.UTF_8));
      if (formatted != 0) {
        throw new IOException("formatting the broker's log directory failed: "
            + formatOutput.toString(StandardCharsets.UTF_8));
      }
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      return new EmbeddedKafkaBroker(directory, props, server);
    } catch (IOException | RuntimeException e) {
      deleteRecursively(directory);
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT} of the first advertised listener, for clients' bootstrap.servers. */
  public String bootstrapServers() {
    return advertisedListeners()[0].replaceFirst("^[^:]*://", "");
  }

  /** Client settings that reach this broker: {@code bootstrap.servers}, nothing else. */
  public Properties clientSettings() {
    Properties client = new Properties();
    client.put("bootstrap.servers", bootstrapServers());
    return client;
  }

  /** {@code HOST:PORT} of the advertised listener of this name (SASL_SSL, MTLS, ...). */
  public String bootstrapServers(String listenerName) {
    for (String listener : advertisedListeners()) {
      if (listener.startsWith(listenerName + "://")) {
        return listener.substring(listenerName.length() + 3);
      }
    }
    throw new IllegalArgumentException("no advertised listener named " + listenerName + " in "
        + props.getProperty("advertised.listeners"));
  }

  private String[] advertisedListeners() {
    return props.getProperty("advertised.listeners").trim().split("\\s*,\\s*");
  }

  public Path directory() {
    return directory;
  }

  /** A port free on the loopback address now, for listeners given as overrides. */
  public static int freePort() throws IOException {
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
