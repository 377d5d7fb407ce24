package dev.tcpscope.cli.command;

import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.cluster.LocalCluster;
import dev.tcpscope.cli.cluster.MemberProcess;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cluster}: the docker-compose topology natively on this machine: three KRaft nodes on
 * loopback (replication factor 3, min.insync.replicas 2), a processor, an agent capturing live
 * on {@code lo} and the web view, each in a process of its own, until Ctrl-C or SIGTERM.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "A real cluster on this machine: three KRaft brokers on loopback (replication"
        + " factor 3, min.insync.replicas 2), a processor, an agent capturing on lo and the web"
        + " view, each its own process; Ctrl-C or SIGTERM stops them and removes their files.")
public final class ClusterCommand implements Callable<Integer> {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  @Option(names = {"-i", "--interface"}, paramLabel = "IFACE", defaultValue = "lo",
      description = "Interface the agent captures on (default ${DEFAULT-VALUE}); the cluster's own"
          + " Kafka traffic is filtered out.")
  String iface;

  @Option(names = "--no-agent",
      description = "Start no agent (on a host where capture is not permitted); publish with"
          + " 'tcpscope agent --bootstrap-server ...' from elsewhere.")
  boolean noAgent;

  @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8080",
      description = "Port of the web view on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 for any free"
          + " port).")
  int webPort;

  @Option(names = "--partitions", defaultValue = "6",
      description = "Partitions of tcpscope's topics (default ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    WebCommand.checkPort("--web-port", webPort);
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be at least 1, not " + partitions);
    }
    PrintStream err = System.err;
    Path work = Files.createTempDirectory("tcpscope-cluster-");
    List<MemberProcess> parts = new ArrayList<>();
    LocalCluster[] cluster = new LocalCluster[1];
    boolean[] stopped = {false};
    // Also when the JVM ends otherwise (a second Ctrl-C, an error): no part left running.
    Thread cleanup = new Thread(() -> stopAll(parts, cluster[0], work, stopped, null),
        "tcpscope-cluster-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      err.println("tcpscope cluster: starting " + LocalCluster.NODES + " KRaft nodes in " + work);
      cluster[0] = LocalCluster.start(work.resolve("kafka"), err, START_TIMEOUT);
      String bootstrap = cluster[0].bootstrapServers();
      Properties client = new Properties();
      client.put("bootstrap.servers", bootstrap);
      TopicSetup.ensure(client, bootstrap, TopicSetup.TOPICS, partitions,
          LocalCluster.REPLICATION);

      MemberProcess processor = MemberProcess.start("processor", List.of("-Xmx512m",
          "-XX:+UseSerialGC"), List.of("processor", "--bootstrap-server", bootstrap,
          "--state-dir", work.resolve("processor-state").toString(),
          "--partitions", String.valueOf(partitions),
          "--replication-factor", String.valueOf(LocalCluster.REPLICATION)),
          work.resolve("processor.log"), err);
      parts.add(processor);
      MemberProcess web = MemberProcess.start("web", List.of("-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1"),
          List.of("web", "--bootstrap-server", bootstrap, "--bind", "127.0.0.1",
              "--port", String.valueOf(webPort)), work.resolve("web.log"), err);
      parts.add(web);
      MemberProcess agent = null;
      if (!noAgent) {
        List<String> agentArgs = new ArrayList<>(List.of("agent", "-i", iface,
            "--bootstrap-server", bootstrap, "--"));
        agentArgs.addAll(List.of(agentFilter(cluster[0].ports()).split(" ")));
        // The agent's JVM as bin/tcpscope sizes it: small heap, C1 only.
        agent = MemberProcess.start("agent", List.of("-Xms16m", "-Xmx64m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=32m"), agentArgs,
            work.resolve("agent.log"), err);
        parts.add(agent);
      }
      processor.await("tcpscope processor: running", START_TIMEOUT);
      String served = web.await("tcpscope web: serving ", START_TIMEOUT);
      String url = served.substring(served.indexOf("http://")).split(" ")[0];
      if (agent != null) {
        agent.await("tcpscope agent: capturing from", START_TIMEOUT);
      }

      PrintStream out = System.out;
      out.println("bootstrap servers: " + bootstrap);
      out.println("web view: " + url);
      out.flush();
      err.println("tcpscope cluster: running: " + cluster[0].nodes().stream()
          .map(n -> "node " + n.id() + " " + n.address() + " (pid " + n.process().pid() + ")")
          .collect(Collectors.joining(", ")) + "; " + parts.stream()
          .map(p -> p.name() + " (pid " + p.pid() + ")").collect(Collectors.joining(", ")));
      err.println("tcpscope cluster: replication factor " + LocalCluster.REPLICATION
          + ", min.insync.replicas " + LocalCluster.MIN_IN_SYNC
          + ": it goes on with one node lost. Ctrl-C or SIGTERM stops everything");
      Set<String> reported = new HashSet<>();
      StopSignal.await(Duration.ofSeconds(1), () -> {
        // A lost part is reported, not fatal: a cluster is meant to go on without one node.
        List<MemberProcess> all = new ArrayList<>(parts);
        cluster[0].nodes().forEach(n -> all.add(n.process()));
        for (MemberProcess p : all) {
          if (!p.alive() && reported.add(p.name())) {
            err.println("tcpscope cluster: " + p.name() + " (pid " + p.pid() + ") exited; its"
                + " last lines:\n" + p.tail());
          }
        }
        return true;
      });
      err.println("tcpscope cluster: stopping");
    } finally {
      stopAll(parts, cluster[0], work, stopped, err);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // the JVM is shutting down and runs the hook itself
      }
    }
    return 0;
  }

  /**
   * The agent's kernel filter: TCP but not the cluster's own ports, or each segment published
   * would be captured again as the broker traffic it causes, a loop that never quiets down.
   */
  static String agentFilter(List<Integer> clusterPorts) {
    return "tcp and not ( " + clusterPorts.stream().map(p -> "port " + p)
        .collect(Collectors.joining(" or ")) + " )";
  }

  /**
   * The agent first (it flushes what it captured), then the processor and the viewer, then the
   * brokers; then the files. Once only, from the command or from the shutdown hook.
   */
  private static void stopAll(List<MemberProcess> parts, LocalCluster cluster, Path work,
      boolean[] stopped, PrintStream err) {
    synchronized (stopped) {
      if (stopped[0]) {
        return;
      }
      stopped[0] = true;
      try {
        List<MemberProcess> order = new ArrayList<>(parts);
        order.sort((a, b) -> Boolean.compare(!a.name().equals("agent"), !b.name().equals("agent")));
        for (MemberProcess p : order) {
          p.requestStop();
          if (p.name().equals("agent")) {
            p.awaitStop(Duration.ofSeconds(20));
          }
        }
        for (MemberProcess p : order) {
          if (!p.awaitStop(Duration.ofSeconds(60)) && err != null) {
            err.println("tcpscope cluster: " + p.name() + " did not stop within 60 s; killed");
          }
        }
        if (cluster != null) {
          cluster.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        EmbeddedKafkaBroker.deleteRecursively(work);
        if (err != null) {
          err.println("tcpscope cluster: stopped; removed " + work);
        }
      }
    }
  }
}
