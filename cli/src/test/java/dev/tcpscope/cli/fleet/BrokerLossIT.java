package dev.tcpscope.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.cluster.LocalCluster;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker loss: the cluster {@code tcpscope cluster} runs (three KRaft nodes, each its own JVM,
 * replication factor 3, min.insync.replicas 2); while an agent publishes and a processor (its
 * own process, exactly once) consumes, the node that is the active controller (and leads a
 * third of the partitions) is SIGKILLed. The anomalies, read_committed, must equal the
 * engine's own verdicts on the same segments: none lost, none repeated, none changed.
 */
class BrokerLossIT {
  private static final int PARTITIONS = 4;
  private static final String OBSERVER = "loss-test";
  private static final String APP = "broker-loss";

  private static LocalCluster cluster;
  private static Path work;
  private static Properties client;

  @BeforeAll
  static void startCluster() throws Exception {
    long start = System.nanoTime();
    work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tcpscope-broker-loss-");
    cluster = LocalCluster.start(work.resolve("kafka"), null, Duration.ofMinutes(3));
    client = new Properties();
    client.put("bootstrap.servers", cluster.bootstrapServers());
    TopicSetup.ensure(client, cluster.bootstrapServers(), TopicSetup.TOPICS, PARTITIONS,
        LocalCluster.REPLICATION);
    System.err.printf("broker loss: cluster up and topics created in %.1f s%n",
        (System.nanoTime() - start) / 1e9);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    ProcessorProcess.keepLogs(work);
    EmbeddedKafkaBroker.deleteRecursively(work);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aBrokerKilledWhileAgentsPublishLosesAndRepeatsNoAnomaly() throws Exception {
    List<DecodedSegment> segments = MixedTraffic.of(2000, 1500);
    Map<Long, String> expected = Verdicts.undisturbed(OBSERVER, segments,
        RuleSettings.defaults());
    assertThat(expected).hasSize(1500); // refused, aborted and retransmitting: 3 in 4

    LocalCluster.Node victim;
    try (Admin admin = Admin.create(client)) {
      int controller = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS)
          .leaderId();
      victim = cluster.nodes().stream().filter(n -> n.id() == controller).findFirst()
          .orElseThrow();
    }
    long[] killedAt = new long[1];
    long processorStart = System.nanoTime();
    try (ProcessorProcess processor = ProcessorProcess.start(work, "loss-processor", List.of(
        "--bootstrap-server", cluster.bootstrapServers(), "--application-id", APP,
        "--state-dir", work.resolve("loss-processor").toString(), "--from-beginning",
        "--partitions", String.valueOf(PARTITIONS),
        "--replication-factor", String.valueOf(LocalCluster.REPLICATION)))) {
      System.err.printf("broker loss: processor running in %.1f s%n",
          (System.nanoTime() - processorStart) / 1e9);
      publish(segments, 5000, () -> {
        try {
          victim.process().kill();
          killedAt[0] = System.nanoTime();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      long publishedAt = System.nanoTime();
      System.err.printf("broker loss: node %d (active controller) killed; the rest published"
          + " and acknowledged %.1f s after%n", victim.id(), (publishedAt - killedAt[0]) / 1e9);
      assertThat(victim.process().alive()).isFalse();
      awaitProcessed(processor);
      System.err.printf("broker loss: processed %.1f s after the kill%n",
          (System.nanoTime() - killedAt[0]) / 1e9);
      assertThat(processor.alive()).as(processor.log()).isTrue();
    }
    try (Admin admin = Admin.create(client)) {
      assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
          .as("two brokers left").hasSize(2);
    }
    List<SuspiciousSession> out = Verdicts.committed(client,
        TcpscopeTopics.SUSPICIOUS_SESSIONS, OBSERVER);
    Map<Long, String> actual = Verdicts.byId(out);
    assertThat(out).as("none repeated").hasSize(actual.size());
    if (!actual.equals(expected)) {
      // Where the difference lies: records (per partition; -1: the end offsets' sum) on the
      // segment and anomaly topics, committed and all.
      System.err.println("broker loss: segments committed "
          + Verdicts.recordsPerPartition(client, TcpscopeTopics.SEGMENTS, "read_committed")
          + ", anomalies committed " + Verdicts.recordsPerPartition(client,
              TcpscopeTopics.SUSPICIOUS_SESSIONS, "read_committed")
          + ", anomalies with aborted ones " + Verdicts.recordsPerPartition(client,
              TcpscopeTopics.SUSPICIOUS_SESSIONS, "read_uncommitted"));
    }
    assertThat(actual).as("none lost, none changed: %s", Verdicts.difference(expected, actual))
        .isEqualTo(expected);
  }

  /**
   * Publishes as an agent does (its publisher: one idempotent producer, acks=all), at most
   * {@code perSecond}, running {@code atFortyPercent} on the way; then the last heartbeat,
   * which ends the capture's open sessions; every segment must be acknowledged.
   */
  private static void publish(List<DecodedSegment> segments, int perSecond,
      Runnable atFortyPercent) throws Exception {
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client,
        TcpscopeTopics.SEGMENTS, new SegmentRecords(OBSERVER, "synthetic"))) {
      long start = System.nanoTime();
      for (int i = 0; i < segments.size(); i++) {
        long wait = start + (long) (i * (1e9 / perSecond)) - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        publisher.publish(segments.get(i));
        if (i == segments.size() * 4 / 10) {
          atFortyPercent.run();
        }
      }
      publisher.heartbeat(AgentHeartbeat.newBuilder().setObserver(OBSERVER)
          .setSource("synthetic").setCaptureClockUs(segments.get(segments.size() - 1).tsUs)
          .setSentAtMs(System.currentTimeMillis()).setFrames(segments.size())
          .setSegments(segments.size()).setHeaderErrors(0).setPublished(segments.size())
          .setDroppedByAgent(0).setDroppedByCapture(0).setDropping(false)
          .setEndOfCapture(true).setVersion("test").build());
      publisher.flush(Duration.ofSeconds(90));
      assertThat(publisher.failed()).as("segments not acknowledged").isZero();
    }
  }

  /** Waits until the processor has committed past the end of the segment topic. */
  private static void awaitProcessed(ProcessorProcess processor) throws Exception {
    ProcessorProcess.awaitProcessed(client, TcpscopeTopics.SEGMENTS, PARTITIONS, APP,
        Duration.ofSeconds(120), processor);
  }
}
