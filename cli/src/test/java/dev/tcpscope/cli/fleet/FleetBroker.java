package dev.tcpscope.cli.fleet;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.SegmentCopy;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.cli.TopicRecords;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The embedded broker a fault test runs its processors on, with what such a test does to it:
 * replay a real capture into the segment topic as an agent does, wait until an application has
 * processed every segment, read a topic back with read_committed, and say what the engine
 * itself reports for the same segments (the undisturbed run).
 */
final class FleetBroker implements AutoCloseable {
  static final int PARTITIONS = 4;

  final EmbeddedKafkaBroker broker;
  final Path work;
  final Properties client;

  private FleetBroker(EmbeddedKafkaBroker broker, Path work) {
    this.broker = broker;
    this.work = work;
    this.client = broker.clientSettings();
  }

  static FleetBroker start(String name) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tcpscope-" + name + "-");
    FleetBroker fleet = new FleetBroker(broker, work);
    TopicSetup.ensure(fleet.client, broker.bootstrapServers(), TopicSetup.TOPICS, PARTITIONS,
        (short) 1);
    // An instance that failed before leaving its group holds the partitions until its session
    // times out (45 s by default): keep it short, so the restart gets them soon.
    Files.writeString(work.resolve("processor.properties"),
        "session.timeout.ms=6000\nheartbeat.interval.ms=1500\n");
    return fleet;
  }

  /** A processor's arguments: its application id and a state directory of its own. */
  List<String> args(String applicationId, Path stateDir, String... more) {
    List<String> args = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(),
        "--application-id", applicationId, "--state-dir", stateDir.toString(),
        "--from-beginning", "--partitions", String.valueOf(PARTITIONS),
        "--kafka-config", work.resolve("processor.properties").toString()));
    args.addAll(List.of(more));
    return args;
  }

  /** Every TCP segment of a capture file, in capture order, each its own copy. */
  static List<DecodedSegment> segmentsOf(Path capture) throws IOException {
    List<DecodedSegment> all = new ArrayList<>();
    new CaptureFileReplay().replay(capture.toString(), d -> {
      DecodedSegment copy = new DecodedSegment();
      SegmentCopy.copy(d, copy);
      all.add(copy);
    });
    return all;
  }

  /** The capture's last heartbeat, as an agent sends it once the file is read. */
  static void endOfCapture(KafkaSegmentPublisher publisher, String observer, String source,
      List<DecodedSegment> segments) {
    publisher.heartbeat(AgentHeartbeat.newBuilder().setObserver(observer).setSource(source)
        .setCaptureClockUs(segments.get(segments.size() - 1).tsUs)
        .setSentAtMs(System.currentTimeMillis()).setFrames(segments.size())
        .setSegments(segments.size()).setHeaderErrors(0).setPublished(segments.size())
        .setDroppedByAgent(0).setDroppedByCapture(0).setDropping(false).setEndOfCapture(true)
        .setVersion("test").build());
    if (!publisher.flush(Duration.ofSeconds(30)) || publisher.failed() > 0) {
      throw new IllegalStateException("segments not published: " + publisher.lastFailure());
    }
  }

  /** What analyze's engine reports for the same segments, as the processor publishes it. */
  static List<SuspiciousSession> expected(String observer, String source,
      List<DecodedSegment> segments) {
    return Verdicts.reports(observer, source, segments, RuleSettings.defaults()).stream()
        .map(SuspiciousSessionMapper::toAvro).toList();
  }

  /** Waits until the application has committed past the end of the segment topic. */
  void awaitProcessed(String segmentsTopic, String applicationId, Duration deadline,
      ProcessorProcess... instances) throws Exception {
    ProcessorProcess.awaitProcessed(client, segmentsTopic, PARTITIONS, applicationId, deadline,
        instances);
  }

  /** Every record of the topic, read_committed, once no transaction is open on it. */
  List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) throws Exception {
    Verdicts.awaitNoOpenTransaction(client, topic);
    return TopicRecords.records(client, topic, "read_committed");
  }

  /** The broker goes; the processors' logs stay in target/fleet-logs/ for whoever reads a failure. */
  @Override
  public void close() throws IOException {
    broker.close();
    ProcessorProcess.keepLogs(work);
    EmbeddedKafkaBroker.deleteRecursively(work);
  }
}
