package dev.tcpscope.cli.fleet;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.SegmentCopy;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.command.Segments;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionTable;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

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
  final Properties client = new Properties();

  private FleetBroker(EmbeddedKafkaBroker broker, Path work) {
    this.broker = broker;
    this.work = work;
    client.put("bootstrap.servers", broker.bootstrapServers());
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
    List<SuspiciousSession> reports = new ArrayList<>();
    SessionTable table = new SessionTable(RuleSettings.defaults(), observer,
        r -> reports.add(SuspiciousSessionMapper.toAvro(r)));
    table.source(source);
    Segment s = new Segment();
    for (DecodedSegment d : segments) {
      Segments.copy(d, s);
      table.onSegment(s);
    }
    table.endOfCapture();
    return reports;
  }

  /** Waits until the application has committed past the end of the segment topic. */
  void awaitProcessed(String segmentsTopic, String applicationId, Duration deadline,
      ProcessorProcess... instances) throws Exception {
    try (Admin admin = Admin.create(client)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(segmentsTopic, p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      long until = System.nanoTime() + deadline.toNanos();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
        boolean done = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
            || (committed.get(e.getKey()) != null
                && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        if (done) {
          return;
        }
        if (System.nanoTime() > until) {
          StringBuilder diagnosis = new StringBuilder(applicationId + " did not process the"
              + " segments within " + deadline + ": " + committed + " of " + ends);
          for (ProcessorProcess p : instances) {
            diagnosis.append('\n').append(p.diagnosis());
          }
          throw new AssertionError(diagnosis.toString());
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * Every record of the topic, read_committed, once no transaction is open on it (a killed or
   * failed instance's last transaction holds such readers back until it is aborted).
   */
  List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) throws Exception {
    awaitNoOpenTransaction(topic);
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        if (System.nanoTime() > until) {
          throw new AssertionError("could not read " + topic + " to its end within 60 s");
        }
      }
    }
    return out;
  }

  private void awaitNoOpenTransaction(String topic) throws Exception {
    try (Admin admin = Admin.create(client)) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(i -> latest.put(new TopicPartition(topic, i.partition()),
          OffsetSpec.latest()));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (true) {
        var stable = admin.listOffsets(latest,
            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(30, TimeUnit.SECONDS);
        var end = admin.listOffsets(latest,
            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
            .get(30, TimeUnit.SECONDS);
        if (end.entrySet().stream().allMatch(e ->
            stable.get(e.getKey()).offset() == e.getValue().offset())) {
          return;
        }
        if (System.nanoTime() > until) {
          throw new AssertionError("a transaction on " + topic + " stayed open for 90 s");
        }
        Thread.sleep(200);
      }
    }
  }

  /** The broker goes; the processors' logs stay in target/fleet-logs/ for whoever reads a failure. */
  @Override
  public void close() throws IOException {
    broker.close();
    ProcessorProcess.keepLogs(work);
    EmbeddedKafkaBroker.deleteRecursively(work);
  }
}
