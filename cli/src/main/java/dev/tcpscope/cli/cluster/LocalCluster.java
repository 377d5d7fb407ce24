package dev.tcpscope.cli.cluster;

import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Kafka as a small production cluster runs it, on loopback: three KRaft nodes, each broker and
 * controller in one, each in a JVM of its own, the three controllers one static quorum. New
 * topics get replication factor 3 and min.insync.replicas 2 (so do Kafka's own offsets and
 * transaction topics and Kafka Streams' internal topics), so one node may be lost with no
 * acknowledged record lost and producers still acknowledged.
 */
public final class LocalCluster implements AutoCloseable {
  public static final int NODES = 3;
  /** Replication of every topic, and the replicas an acks=all write needs. */
  public static final short REPLICATION = 3;
  public static final int MIN_IN_SYNC = 2;

  /** One KRaft node: its ports and its process. */
  public record Node(int id, int brokerPort, int controllerPort, MemberProcess process) {
    public String address() {
      return "127.0.0.1:" + brokerPort;
    }
  }

  private final Path directory;
  private final List<Node> nodes;

  private LocalCluster(Path directory, List<Node> nodes) {
    this.directory = directory;
    this.nodes = nodes;
  }

  /**
   * Starts the nodes in {@code directory} (their logs, data and settings go there; it is removed
   * by {@link #close()}) and returns once every broker is registered and unfenced.
   *
   * @param console where the nodes' status lines are shown; null for none
   */
  public static LocalCluster start(Path directory, PrintStream console, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    Files.createDirectories(directory);
    String clusterId = Uuid.randomUuid().toString();
    int[] brokerPorts = new int[NODES];
    int[] controllerPorts = new int[NODES];
    List<ServerSocket> held = new ArrayList<>();
    try {
      // Held open together, so the six ports are distinct; released just before the nodes bind.
      for (int i = 0; i < NODES; i++) {
        brokerPorts[i] = hold(held);
        controllerPorts[i] = hold(held);
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    StringBuilder voters = new StringBuilder();
    for (int i = 0; i < NODES; i++) {
      voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:")
          .append(controllerPorts[i]);
    }
    List<Node> nodes = new ArrayList<>();
    LocalCluster cluster = new LocalCluster(directory, nodes);
    try {
      for (int i = 0; i < NODES; i++) {
        int id = i + 1;
        Path config = directory.resolve("node-" + id + ".properties");
        try (OutputStream out = Files.newOutputStream(config)) {
          settings(id, brokerPorts[i], controllerPorts[i], voters.toString(),
              directory.resolve("node-" + id), clusterId).store(out, "tcpscope cluster node " + id);
        }
        MemberProcess process = MemberProcess.start("node-" + id, jvmOptions(),
            List.of("kraft-node", config.toString()), directory.resolve("node-" + id + ".log"),
            console);
        nodes.add(new Node(id, brokerPorts[i], controllerPorts[i], process));
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      for (Node node : nodes) {
        node.process().await(KraftNode.RUNNING + node.id(),
            Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      }
      cluster.awaitBrokers(NODES, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      return cluster;
    } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static int hold(List<ServerSocket> held) throws IOException {
    ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    held.add(socket);
    return socket.getLocalPort();
  }

  static Properties settings(int id, int brokerPort, int controllerPort, String voters,
      Path logDir, String clusterId) {
    Properties p = EmbeddedKafkaBroker.nodeSettings(id, brokerPort, controllerPort, logDir,
        REPLICATION, MIN_IN_SYNC, 3);
    p.put("controller.quorum.voters", voters);
    p.put("default.replication.factor", String.valueOf(REPLICATION));
    p.put("min.insync.replicas", String.valueOf(MIN_IN_SYNC));
    p.put(KraftNode.CLUSTER_ID, clusterId);
    return p;
  }

  /**
   * A node's JVM: a bounded heap, and C1 only: a node took 9-10 s of CPU to start instead of
   * 13-15 s with C2, which on a small shared machine is most of the start, while loopback
   * traffic of a local cluster never needs C2's code.
   */
  private static List<String> jvmOptions() {
    return List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  }

  /** {@code 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}, for clients' bootstrap.servers. */
  public String bootstrapServers() {
    return nodes.stream().map(Node::address).collect(Collectors.joining(","));
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** Every port the nodes listen on (clients' and controllers'). */
  public List<Integer> ports() {
    List<Integer> ports = new ArrayList<>();
    for (Node n : nodes) {
      ports.add(n.brokerPort());
      ports.add(n.controllerPort());
    }
    return ports;
  }

  public Path directory() {
    return directory;
  }

  /** Waits until {@code count} brokers are registered and unfenced (describeCluster lists them). */
  public void awaitBrokers(int count, Duration timeout)
      throws InterruptedException, TimeoutException {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(p)) {
      int seen = 0;
      while (System.nanoTime() < deadline) {
        try {
          seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
          if (seen >= count) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          // not answering yet
        }
        Thread.sleep(200);
      }
      throw new TimeoutException("only " + seen + " of " + count + " brokers up within " + timeout);
    }
  }

  /**
   * Stops every node cleanly (SIGTERM to all at once: a broker's controlled shutdown needs the
   * controller quorum, which stopping them one by one would lose), kills one that takes longer
   * than 30 s, then removes the directory.
   */
  @Override
  public void close() throws InterruptedException {
    for (Node n : nodes) {
      n.process().requestStop();
    }
    for (Node n : nodes) {
      n.process().awaitStop(Duration.ofSeconds(30));
    }
    EmbeddedKafkaBroker.deleteRecursively(directory);
  }
}
