package dev.tcpscope.cli.command;

import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.observability.MetricsEndpoint;
import dev.tcpscope.cli.observability.OpenSessionsHandler;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.runtime.ProcessorRuntime;
import dev.tcpscope.session.runtime.StreamsProperties;
import dev.tcpscope.session.topology.ProcessorMetrics;
import dev.tcpscope.session.topology.TopologySettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code processor}: the Kafka Streams application that judges sessions. */
@Command(name = "processor", mixinStandardHelpOptions = true,
    description = "Session processor: rebuilds each connection's state and publishes suspicious"
        + " sessions. Start several with the same --application-id to share the partitions.")
public final class ProcessorCommand implements Callable<Integer> {
  /** Kafka Streams' processing guarantees, as its configuration names them. */
  public enum Guarantee {
    exactly_once_v2,
    at_least_once
  }

  @Mixin RuleOptions rules;
  @Mixin KafkaOptions kafka;

  @Option(names = "--application-id", defaultValue = "tcpscope-processor",
      description = "Kafka Streams application id: instances with the same id share the work;"
          + " another id judges the segments again on its own (default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--from-beginning",
      description = "A new --application-id starts at the oldest segment the topic still holds"
          + " (re-judging the past with other thresholds); default: at the newest. An id with"
          + " committed offsets always goes on from them.")
  boolean fromBeginning;

  @Option(names = "--state-dir", defaultValue = "${env:TCPSCOPE_STATE_DIR:-/tmp/tcpscope-state}",
      description = "State store directory (default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
      description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Guarantee guarantee;

  @Option(names = "--commit-interval-ms", paramLabel = "MS",
      description = "How often state and output are committed (default "
          + StreamsProperties.DEFAULT_COMMIT_INTERVAL_MS + "): a suspicious session reaches"
          + " read_committed consumers up to this much later; shorter costs throughput.")
  Long commitIntervalMs;

  @Option(names = "--threads", defaultValue = "1",
      description = "Stream threads of this instance (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--standby-replicas", defaultValue = "0",
      description = "Warm copies of each task's state on other instances, for fast failover"
          + " (default ${DEFAULT-VALUE}).")
  int standbyReplicas;

  @Option(names = "--rocksdb-memory-mb", paramLabel = "MB", defaultValue = "64",
      description = "Off-heap memory of all RocksDB stores of this instance together: one"
          + " block cache and write-buffer budget (default ${DEFAULT-VALUE}).")
  long rocksDbMemoryMb;

  @Option(names = "--segments-topic", defaultValue = TcpscopeTopics.SEGMENTS,
      description = "Where the agents publish segments and heartbeats (default ${DEFAULT-VALUE};"
          + " the agent's --topic).")
  String segmentsTopic;

  @Option(names = "--suspicious-topic", defaultValue = TcpscopeTopics.SUSPICIOUS_SESSIONS,
      description = "Where suspicious sessions go (default ${DEFAULT-VALUE}); another topic keeps"
          + " a re-judging run apart from the live one.")
  String suspiciousTopic;

  @Option(names = "--sessions-topic", paramLabel = "TOPIC", arity = "0..1",
      fallbackValue = TcpscopeTopics.SESSIONS,
      description = "Also publish every ended session, conn.log-like, to TOPIC (default when"
          + " given without a name: " + TcpscopeTopics.SESSIONS + "; off unless given).")
  String sessionsTopic;

  @Option(names = "--partitions", defaultValue = "6",
      description = "Partitions of topics created at start when missing (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "1",
      description = "Replication of topics created at start (default ${DEFAULT-VALUE}).")
  short replication;

  @Option(names = "--no-create-topics",
      description = "Do not create missing topics: refuse to start and say how to create them.")
  boolean noCreateTopics;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "-1",
      description = "Serve /metrics (Prometheus), /health and /sessions (the sessions open now,"
          + " for 'tcpscope sessions') on PORT (0: a free port; default: off).")
  int httpPort;

  @Option(names = "--advertised-host", paramLabel = "HOST",
      defaultValue = "${env:TCPSCOPE_ADVERTISED_HOST:-localhost}",
      description = "How other instances reach this one's HTTP port, for interactive queries"
          + " (default ${DEFAULT-VALUE}).")
  String advertisedHost;

  @Override
  public Integer call() throws Exception {
    String bootstrap = kafka.requireBootstrapServer();
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be a port (0-65535), not " + httpPort);
    }
    if (partitions < 1 || replication < 1) {
      throw new IllegalArgumentException(
          "--partitions and --replication-factor must be at least 1");
    }
    Properties client = kafka.clientSettings(System.getenv());
    List<String> topics = new ArrayList<>(TopicSetup.TOPICS);
    topics.remove(TcpscopeTopics.SUSPICIOUS_SESSIONS);
    topics.add(suspiciousTopic);
    topics.remove(TcpscopeTopics.SEGMENTS);
    topics.add(segmentsTopic);
    if (sessionsTopic != null) {
      topics.add(sessionsTopic);
    }
    if (noCreateTopics) {
      TopicSetup.requireExisting(client, bootstrap, topics, partitions, replication);
    } else {
      TopicSetup.ensure(client, bootstrap, topics, partitions, replication);
    }

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<ProcessorRuntime> running = new AtomicReference<>();
    // Listening first: the port goes into application.server, which the runtime needs.
    MetricsEndpoint endpoint = httpPort < 0 ? null : MetricsEndpoint.start(httpPort, registry,
        () -> running.get() != null && running.get().healthy());
    String applicationServer = endpoint == null ? null : advertisedHost + ":" + endpoint.port();
    TopologySettings settings = TopologySettings.defaults(rules.toSettings())
        .withSegmentsTopic(segmentsTopic)
        .withSuspiciousTopic(suspiciousTopic)
        .withSessionsTopic(sessionsTopic)
        .withMetrics(new ProcessorMetrics(registry));
    StreamsProperties.Tuning tuning = new StreamsProperties.Tuning(threads, standbyReplicas,
        commitIntervalMs, rocksDbMemoryMb << 20, fromBeginning, applicationServer);
    try (ProcessorRuntime runtime = new ProcessorRuntime(settings,
        StreamsProperties.of(bootstrap, applicationId, guarantee.name(), stateDir, client,
            tuning))) {
      runtime.bindMetrics(registry);
      running.set(runtime);
      if (endpoint != null) {
        endpoint.addContext("/sessions",
            new OpenSessionsHandler(runtime::openSessions, applicationServer));
        System.err.println("tcpscope processor: http://" + applicationServer
            + "/metrics, /health, /sessions");
      }
      Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "tcpscope-processor-stop"));
      runtime.start(Duration.ofMinutes(5));
      System.err.println("tcpscope processor: running (application id " + applicationId + ")");
      runtime.awaitStop();
      if (runtime.failure() != null) {
        System.err.println("tcpscope processor: stopped after a failure: "
            + runtime.explain(runtime.failure()));
        return 2;
      }
      return 0;
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }
}
