package dev.tcpscope.cli.command;

import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agent -f FILE}: decode a capture and publish its segments to Kafka. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = "Capture agent: decode TCP headers and publish one record per segment to Kafka.")
public final class AgentCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE",
      description = "Capture file to replay (pcap or pcapng; '-' for standard input).")
  String file;

  @Option(names = {"-i", "--interface"}, paramLabel = "IFACE",
      description = "Interface to capture on live.")
  String iface;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id (default: this host's name).")
  String observer;

  @Option(names = "--topic", defaultValue = TcpscopeTopics.SEGMENTS,
      description = "Segment topic (default ${DEFAULT-VALUE}).")
  String topic;

  @Override
  public Integer call() throws Exception {
    kafka.requireBootstrapServer();
    if ((file == null) == (iface == null)) {
      throw new IllegalArgumentException("give exactly one of -f FILE or -i IFACE");
    }
    if (iface != null) {
      throw new IllegalArgumentException(
          "live capture (-i) is not built yet in this version; replay a capture with -f FILE");
    }
    Properties client = kafka.clientSettings(System.getenv());
    SegmentRecords records = new SegmentRecords(Hosts.observerOr(observer), file);
    CaptureFileReplay replay = new CaptureFileReplay();
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client, topic, records)) {
      replay.replay(file, publisher::publish);
      publisher.flush(Duration.ofMinutes(1));
      System.err.println("tcpscope agent: " + file + ": " + replay.counters().summary()
          + " published=" + publisher.acknowledged() + " failed=" + publisher.failed());
      if (replay.damage() != null) {
        System.err.println("tcpscope agent: " + file + ": " + replay.damage());
      }
      return publisher.failed() == 0 ? 0 : 2;
    }
  }
}
