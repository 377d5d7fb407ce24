package dev.tcpscope.cli.command;

import dev.tcpscope.capture.agent.AgentCounters;
import dev.tcpscope.capture.agent.AgentStatisticsText;
import dev.tcpscope.capture.agent.CaptureAgent;
import dev.tcpscope.capture.observability.AgentMetrics;
import dev.tcpscope.cli.observability.MetricsEndpoint;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.capture.source.BpfFrameFilter;
import dev.tcpscope.capture.source.CaptureFileSource;
import dev.tcpscope.capture.source.LiveCaptureSettings;
import dev.tcpscope.capture.source.LiveCaptures;
import dev.tcpscope.capture.source.PacketSource;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.time.Duration;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agent}: capture TCP headers (live or from a file) and publish them to Kafka. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Capture agent: decode TCP headers and publish one record per segment to Kafka.")
public final class AgentCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Capture file to replay (pcap or pcapng; '-' for standard input).")
  String file;

  @Option(names = {"-i", "--interface"}, paramLabel = "IFACE",
      description = "Interface to capture on live ('any' for all).")
  String iface;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id (default: this host's name).")
  String observer;

  @Option(names = "--topic", defaultValue = TcpscopeTopics.SEGMENTS,
      description = "Segment topic (default ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--snap-length", defaultValue = "" + LiveCaptureSettings.DEFAULT_SNAP_LENGTH,
      description = "Bytes captured per packet (default ${DEFAULT-VALUE}).")
  int snapLength;

  @Option(names = "--buffer-size", defaultValue = "" + LiveCaptureSettings.DEFAULT_BUFFER_BYTES,
      description = "Kernel capture buffer in bytes (default ${DEFAULT-VALUE}).")
  int bufferBytes;

  @Option(names = "--no-promiscuous", description = "Capture only traffic addressed to this host.")
  boolean noPromiscuous;

  @Option(names = "--immediate", description = "Deliver each packet at once (libpcap immediate mode).")
  boolean immediate;

  @Option(names = "--buffer-segments", defaultValue = "65536",
      description = "Segments held between capture and Kafka; beyond, live capture drops and"
          + " counts them (default ${DEFAULT-VALUE}).")
  int ringCapacity;

  @Option(names = "-s", paramLabel = "N", defaultValue = "0",
      description = "Print the statistics block (miruo's) to stderr every N seconds (0: only at"
          + " the end).")
  int statsEverySeconds;

  @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "-1",
      description = "Serve Prometheus metrics on http://HOST:PORT/metrics and a health check on"
          + " /health (0: a free port, printed at start; default: no endpoint).")
  int metricsPort;

  @Option(names = "--flush-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "At the end (file end, Ctrl-C, SIGTERM), wait at most this long for Kafka to"
          + " acknowledge what is buffered (default ${DEFAULT-VALUE}).")
  int flushTimeoutSeconds;

  @Option(names = {"-m", "--dpi-mode"}, paramLabel = "http",
      description = "Also publish the HTTP request or status line a segment begins with: http"
          + " (otherwise no payload byte leaves the host).")
  String dpiMode;

  @Parameters(paramLabel = "BPF", arity = "0..*",
      description = "A filter in tcpdump syntax, after '--': in the kernel for live capture"
          + " (default: TCP and the tunnels the decoder opens), or on each frame of a file.")
  List<String> bpf;

  /** Where TCPSCOPE_KAFKA_* settings come from; tests hand in their own. */
  Map<String, String> environment = System.getenv();

  @Override
  public Integer call() throws Exception {
    kafka.requireBootstrapServer();
    if ((file == null) == (iface == null)) {
      throw new IllegalArgumentException("give exactly one of -f FILE or -i IFACE");
    }
    if (statsEverySeconds < 0) {
      throw new IllegalArgumentException("-s must be 0 or more seconds, not " + statsEverySeconds);
    }
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new IllegalArgumentException("--metrics-port must be a port (0-65535), not "
          + metricsPort);
    }
    if (flushTimeoutSeconds < 0) {
      throw new IllegalArgumentException("--flush-timeout must be 0 or more seconds, not "
          + flushTimeoutSeconds);
    }
    if (dpiMode != null && !dpiMode.equals("http")) {
      throw new IllegalArgumentException(
          "-m/--dpi-mode accepts only 'http', not '" + dpiMode + "'");
    }
    String observerId = Hosts.observerOr(observer);
    Properties client = kafka.clientSettings(environment);
    String expression = bpf == null || bpf.isEmpty() ? null : String.join(" ", bpf);
    PacketSource source = file != null
        ? new CaptureFileSource(file, CaptureFiles.open(file),
            expression == null ? null : BpfFrameFilter.compile(expression))
        : LiveCaptures.open(new LiveCaptureSettings(iface, expression, snapLength, bufferBytes,
            !noPromiscuous, immediate));
    Duration flushDeadline = Duration.ofSeconds(flushTimeoutSeconds);
    SegmentRecords records = new SegmentRecords(observerId, source.name());
    CountDownLatch finished = new CountDownLatch(1);
    AtomicReference<CaptureAgent> running = new AtomicReference<>();
    Thread stopper = new Thread(() -> {
      CaptureAgent agent = running.get();
      if (agent == null) {
        source.stop();
        return;
      }
      // The publisher drains and flushes within the deadline, even while the capture thread
      // is still blocked reading standard input; then the JVM may exit.
      agent.stop(source);
      agent.awaitFlushed();
      try {
        if (!finished.await(1, TimeUnit.SECONDS)) {
          System.err.println("tcpscope agent: stopped: " + summary(agent, source));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tcpscope-agent-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    MetricsEndpoint endpoint = null;
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client, topic, records)) {
      CaptureAgent agent = new CaptureAgent(publisher, observerId, ringCapacity, flushDeadline)
          .httpLines(dpiMode != null);
      running.set(agent);
      AtomicBoolean capturing = new AtomicBoolean(true);
      if (metricsPort >= 0) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new AgentMetrics(agent.counters(), observerId, source.name()).bindTo(registry);
        new KafkaClientMetrics(publisher.producer()).bindTo(registry);
        endpoint = MetricsEndpoint.start(metricsPort, registry, capturing::get);
        System.err.println("tcpscope agent: metrics on http://localhost:" + endpoint.port()
            + "/metrics");
      }
      System.err.println("tcpscope agent: capturing from " + source.name() + " as " + observerId
          + (source.isFile() ? "" : " (libpcap through " + LiveCaptures.backend() + ")"));
      Statistics stats = new Statistics(source.name(), agent.counters());
      long[] seconds = {0};
      agent.run(source, () -> {
        if (statsEverySeconds > 0 && ++seconds[0] % statsEverySeconds == 0) {
          System.err.print(stats.block());
        }
      });
      capturing.set(false);
      if (statsEverySeconds > 0) {
        System.err.print(stats.block());
      }
      System.err.println("tcpscope agent: " + source.name() + ": " + summary(agent, source));
      if (source.damage() != null) {
        System.err.println("tcpscope agent: " + source.name() + ": " + source.damage());
      }
      if (agent.counters().unpublishedAtShutdown() > 0) {
        System.err.println("tcpscope agent: " + agent.counters().unpublishedAtShutdown()
            + " segments were not acknowledged within --flush-timeout " + flushTimeoutSeconds
            + " s" + (publisher.lastFailure() == null ? ""
                : " (last failure: " + publisher.lastFailure().getMessage() + ")"));
      }
      if (publisher.lastFailure() instanceof AuthenticationException
          || publisher.lastFailure() instanceof AuthorizationException) {
        // Waiting does not heal these: say what to check instead of only counting failures.
        System.err.println("tcpscope agent: Kafka refused this agent: "
            + publisher.lastFailure().getMessage() + ". Check security.protocol, sasl.* and ssl.*"
            + " in --kafka-config or TCPSCOPE_KAFKA_*, and that the agent's principal may write "
            + topic + " and " + TcpscopeTopics.HEARTBEATS + " (README: Security)");
      }
      return publisher.failed() == 0 && agent.counters().unpublishedAtShutdown() == 0 ? 0 : 2;
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
      finished.countDown();
      source.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }

  /** The closing counters line: the agent's, and libpcap's for live capture. */
  private static String summary(CaptureAgent agent, PacketSource source) {
    return agent.counters().line()
        + (source.isFile() ? "" : " " + agent.counters().capture().line());
  }

  /** The -s block, with rates since the previous block. */
  private static final class Statistics {
    private final String source;
    private final AgentCounters counters;
    private long lastNanos = System.nanoTime();
    private long lastFrames;
    private long lastPublished;

    Statistics(String source, AgentCounters counters) {
      this.source = source;
      this.counters = counters;
    }

    String block() {
      long now = System.nanoTime();
      String text = AgentStatisticsText.format(source, counters, (now - lastNanos) / 1e9,
          lastFrames, lastPublished);
      lastNanos = now;
      lastFrames = counters.frames();
      lastPublished = counters.published();
      return text;
    }
  }
}
