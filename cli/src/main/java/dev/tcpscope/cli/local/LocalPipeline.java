package dev.tcpscope.cli.local;

import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.agent.CaptureAgent;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.capture.source.CaptureFileSource;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.runtime.ProcessorRuntime;
import dev.tcpscope.session.runtime.StreamsProperties;
import dev.tcpscope.session.topology.ProcessorMetrics;
import dev.tcpscope.session.topology.TopologySettings;
import dev.tcpscope.session.viewer.SuspiciousSessionFeed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The whole pipeline on one host, as {@code demo} and {@code local -f} run it: an embedded
 * broker, the agent replaying a capture, the processor (Kafka Streams, exactly once) and the
 * viewer reading the anomaly topic, until every segment has been processed and every
 * resulting session printed. Nothing is left behind: broker and state directories are removed.
 */
public final class LocalPipeline {
  private static final int PARTITIONS = 2;
  private static final Duration DEADLINE = Duration.ofMinutes(5);

  private final RuleSettings rules;
  private final String observer;
  private final String processingGuarantee;
  private Companion companion = Companion.NONE;

  public LocalPipeline(RuleSettings rules, String observer, String processingGuarantee) {
    this.rules = rules;
    this.observer = observer;
    this.processingGuarantee = processingGuarantee;
  }

  /**
   * What runs beside the pipeline on its broker (the web view), started before the processor
   * and closed after it, and that decides how long the pipeline stays up once the capture is
   * processed.
   */
  public interface Companion {
    Companion NONE = client -> () -> { };

    AutoCloseable start(Properties client) throws Exception;

    /** Called once every session of the capture was read; the pipeline stops when it returns. */
    default void processed() throws InterruptedException {}
  }

  public LocalPipeline with(Companion companion) {
    this.companion = companion;
    return this;
  }

  /** A capture to replay: its name in the records, and how to open it. */
  public interface Capture {
    String name();

    CaptureFileReader open() throws IOException;
  }

  public static Capture file(String path) {
    return new Capture() {
      @Override
      public String name() {
        return path;
      }

      @Override
      public CaptureFileReader open() throws IOException {
        return CaptureFiles.open(path);
      }
    };
  }

  /**
   * Runs the pipeline on an embedded broker.
   *
   * @param sink receives each reported session as the viewer reads it
   * @return the agent's decode counters line (frames, segments, errors) and the processor's
   *     drops past -L and -l
   */
  public String run(Capture capture, Consumer<SessionReport> sink) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      return run(broker.bootstrapServers(), new Properties(), capture, sink);
    }
  }

  /** Runs the pipeline against a running Kafka cluster. */
  public String run(String bootstrap, Properties clientSettings, Capture capture,
      Consumer<SessionReport> sink) throws Exception {
    Properties client = new Properties();
    client.putAll(clientSettings);
    client.put("bootstrap.servers", bootstrap);
    TopicSetup.ensure(client, bootstrap, TopicSetup.TOPICS,
        PARTITIONS, (short) 1);
    String applicationId = "tcpscope-local-" + Long.toHexString(System.nanoTime());
    try (Admin admin = Admin.create(client)) {
      startAtTheEnd(admin, applicationId);
    }
    Path stateDir = Files.createTempDirectory("tcpscope-state-");
    ProcessorMetrics metrics = ProcessorMetrics.unregistered();
    try (AutoCloseable beside = companion.start(client);
        ProcessorRuntime processor = new ProcessorRuntime(
            TopologySettings.defaults(rules).withMetrics(metrics),
            StreamsProperties.of(bootstrap, applicationId, processingGuarantee, stateDir, client));
        // Only this run's sessions: what the topic held before is someone else's.
        SuspiciousSessionFeed feed = new SuspiciousSessionFeed(client,
            TcpscopeTopics.SUSPICIOUS_SESSIONS, false)) {
      processor.start(Duration.ofMinutes(2));
      AtomicReference<Object> agentResult = new AtomicReference<>();
      Thread agent = new Thread(() -> agentResult.set(replay(client, capture)), "tcpscope-agent");
      agent.start();
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      try (Admin admin = Admin.create(client)) {
        while (true) {
          feed.pollOnce(Duration.ofMillis(200), sink);
          if (processor.failure() != null) {
            throw new IllegalStateException("the processor failed", processor.failure());
          }
          if (!agent.isAlive()) {
            if (agentResult.get() instanceof Exception e) {
              throw e;
            }
            if (processed(admin, applicationId) && feed.caughtUp()) {
              feed.pollOnce(Duration.ZERO, sink);
              if (feed.caughtUp()) {
                break;
              }
            }
          }
          if (System.nanoTime() > deadline) {
            throw new TimeoutException("the capture was not processed within " + DEADLINE);
          }
        }
      } finally {
        agent.join();
      }
      companion.processed();
      // Overflow past -L and -l is the processor's to count: it went past the agent unseen.
      return agentResult.get() + " dropped_sessions=" + metrics.droppedSessions()
          + " dropped_kept_segments=" + metrics.droppedKeptSegments();
    } finally {
      EmbeddedKafkaBroker.deleteRecursively(stateDir);
    }
  }

  /** The agent: replays the capture into the segments topic; returns its counters or failure. */
  private Object replay(Properties client, Capture capture) {
    SegmentRecords records = new SegmentRecords(observer, capture.name());
    try (KafkaSegmentPublisher publisher =
            new KafkaSegmentPublisher(client, TcpscopeTopics.SEGMENTS, records);
        CaptureFileSource source = new CaptureFileSource(capture.name(), capture.open())) {
      CaptureAgent agent = new CaptureAgent(publisher, observer, 1 << 16, Duration.ofMinutes(1))
          .httpLines(rules.httpMode());
      agent.run(source, () -> { });
      if (publisher.failed() > 0) {
        return new IOException(publisher.failed() + " segments could not be published",
            publisher.lastFailure());
      }
      return agent.decodeCounters().summary();
    } catch (Exception e) {
      return e;
    }
  }

  /**
   * The run's processor starts where the segment topic ends now, so a shared cluster's older
   * segments (other agents', earlier runs') are not judged again; on a fresh broker that is
   * the start.
   */
  private static void startAtTheEnd(Admin admin, String applicationId)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription topic = admin.describeTopics(List.of(TcpscopeTopics.SEGMENTS))
        .allTopicNames().get(30, TimeUnit.SECONDS).get(TcpscopeTopics.SEGMENTS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    topic.partitions().forEach(p ->
        latest.put(new TopicPartition(TcpscopeTopics.SEGMENTS, p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
        .forEach((tp, end) -> start.put(tp, new OffsetAndMetadata(end.offset())));
    admin.alterConsumerGroupOffsets(applicationId, start).all().get(30, TimeUnit.SECONDS);
  }

  /** True when the processor has committed past every segment published so far. */
  private static boolean processed(Admin admin, String applicationId)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription topic = admin.describeTopics(List.of(TcpscopeTopics.SEGMENTS))
        .allTopicNames().get(30, TimeUnit.SECONDS).get(TcpscopeTopics.SEGMENTS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    topic.partitions().forEach(p ->
        latest.put(new TopicPartition(TcpscopeTopics.SEGMENTS, p.partition()), OffsetSpec.latest()));
    var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
    for (var end : ends.entrySet()) {
      long endOffset = end.getValue().offset();
      if (endOffset == 0) {
        continue;
      }
      OffsetAndMetadata done = committed.get(end.getKey());
      if (done == null || done.offset() < endOffset) {
        return false;
      }
    }
    return true;
  }
}
