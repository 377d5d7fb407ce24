package dev.tcpscope.cli.command;

import dev.tcpscope.capture.agent.CaptureAgent;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.capture.source.CaptureFileSource;
import dev.tcpscope.capture.source.LiveCaptureSettings;
import dev.tcpscope.capture.source.LivePcapSource;
import dev.tcpscope.capture.source.PacketSource;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
      description = "Print statistics to stderr every N seconds (0: only at the end).")
  int statsEverySeconds;

  @Option(names = {"-m", "--dpi-mode"}, paramLabel = "http",
      description = "Also publish the HTTP request or status line a segment begins with: http"
          + " (otherwise no payload byte leaves the host).")
  String dpiMode;

  @Parameters(paramLabel = "BPF", arity = "0..*",
      description = "A capture filter in tcpdump syntax, after '--' (live capture).")
  List<String> bpf;

  @Override
  public Integer call() throws Exception {
    kafka.requireBootstrapServer();
    if ((file == null) == (iface == null)) {
      throw new IllegalArgumentException("give exactly one of -f FILE or -i IFACE");
    }
    if (statsEverySeconds < 0) {
      throw new IllegalArgumentException("-s must be 0 or more seconds, not " + statsEverySeconds);
    }
    if (dpiMode != null && !dpiMode.equals("http")) {
      throw new IllegalArgumentException(
          "-m/--dpi-mode accepts only 'http', not '" + dpiMode + "'");
    }
    String observerId = Hosts.observerOr(observer);
    Properties client = kafka.clientSettings(System.getenv());
    PacketSource source = file != null
        ? new CaptureFileSource(file, CaptureFiles.open(file))
        : LivePcapSource.open(new LiveCaptureSettings(iface,
            bpf == null ? null : String.join(" ", bpf), snapLength, bufferBytes, !noPromiscuous,
            immediate));
    CountDownLatch finished = new CountDownLatch(1);
    Thread stopper = new Thread(() -> {
      source.stop();
      try {
        finished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tcpscope-agent-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    SegmentRecords records = new SegmentRecords(observerId, source.name());
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client, topic, records)) {
      CaptureAgent agent = new CaptureAgent(publisher, observerId, ringCapacity, Duration.ofSeconds(10))
          .httpLines(dpiMode != null);
      long[] seconds = {0};
      System.err.println("tcpscope agent: capturing from " + source.name() + " as " + observerId);
      agent.run(source, () -> {
        if (statsEverySeconds > 0 && ++seconds[0] % statsEverySeconds == 0) {
          System.err.println("tcpscope agent: " + agent.counters().line() + " "
              + source.statistics());
        }
      });
      System.err.println("tcpscope agent: " + source.name() + ": " + agent.counters().line()
          + " " + source.statistics());
      if (source.damage() != null) {
        System.err.println("tcpscope agent: " + source.name() + ": " + source.damage());
      }
      return publisher.failed() == 0 ? 0 : 2;
    } finally {
      source.close();
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(stopper);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }
}
