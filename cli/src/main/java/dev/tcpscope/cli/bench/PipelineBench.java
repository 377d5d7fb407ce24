package dev.tcpscope.cli.bench;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.runtime.ProcessorRuntime;
import dev.tcpscope.session.runtime.StreamsProperties;
import dev.tcpscope.session.topology.TopologySettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bench pipeline}: the processor on an embedded broker with exactly-once processing.
 *
 * <ol>
 *   <li>Throughput: {@code --segments} segments of short sessions, {@code --sessions} open at
 *       once, are published through the agent's publisher first; then the processor starts and
 *       the rate is taken from its committed offsets (first commit to last), so start-up and
 *       the producer are not in the figure.
 *   <li>Latency: with the processor running, refused connections (SYN, then RST) are published
 *       at a steady rate with the wall clock as capture time; a read_committed consumer of the
 *       anomaly topic measures, per session, the time from the publish of its RST to its
 *       arrival.
 * </ol>
 */
final class PipelineBench {
  private static final int PARTITIONS = 2;

  private final long segments;
  private final int sessions;
  private final PrintStream out;

  PipelineBench(long segments, int sessions, PrintStream out) {
    this.segments = segments;
    this.sessions = sessions;
    this.out = out;
  }

  int run(Properties processorOverrides, int latencySessionsPerSecond, int latencySeconds)
      throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Properties client = broker.clientSettings();
      TopicSetup.ensure(client, broker.bootstrapServers(), TopicSetup.TOPICS, PARTITIONS,
          (short) 1);

      long publishStart = System.nanoTime();
      publishSyntheticTraffic(client);
      double publishSeconds = (System.nanoTime() - publishStart) / 1e9;

      Path stateDir = Files.createTempDirectory("tcpscope-state-");
      String applicationId = "tcpscope-bench-" + Long.toHexString(System.nanoTime());
      Properties streams = StreamsProperties.of(broker.bootstrapServers(), applicationId,
          "exactly_once_v2", stateDir, client);
      streams.putAll(processorOverrides);
      try (ProcessorRuntime processor = new ProcessorRuntime(
          TopologySettings.defaults(RuleSettings.defaults()), streams)) {
        processor.start(Duration.ofMinutes(2));
        double rate = awaitProcessed(client, applicationId, processor);
        out.println("bench=pipeline");
        out.println("processing_guarantee=exactly_once_v2");
        out.println("commit_interval_ms=" + streams.get("commit.interval.ms"));
        out.println("partitions=" + PARTITIONS);
        out.println("stream_threads=" + streams.get("num.stream.threads"));
        out.println("sessions_concurrent=" + sessions);
        out.println("segments=" + segments);
        out.println(String.format(Locale.ROOT, "published_segments_per_s=%.0f",
            segments / publishSeconds));
        out.println(String.format(Locale.ROOT, "segments_per_s=%.0f", rate));
        measureLatency(client, latencySessionsPerSecond, latencySeconds);
      } finally {
        EmbeddedKafkaBroker.deleteRecursively(stateDir);
      }
    }
    return 0;
  }

  private void publishSyntheticTraffic(Properties client) throws Exception {
    SyntheticTraffic traffic = new SyntheticTraffic(sessions, 6);
    Segment s = new Segment();
    DecodedSegment d = new DecodedSegment();
    d.frame = new byte[0];
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client,
        TcpscopeTopics.SEGMENTS, new SegmentRecords("bench", "synthetic"))) {
      for (long i = 0; i < segments; i++) {
        traffic.next(s);
        copy(s, d);
        publisher.publish(d);
      }
      publisher.flush(Duration.ofMinutes(2));
      if (publisher.acknowledged() != segments) {
        throw new IllegalStateException("only " + publisher.acknowledged() + " of " + segments
            + " segments were acknowledged: " + publisher.lastFailure());
      }
    }
  }

  private static void copy(Segment s, DecodedSegment d) {
    d.tsUs = s.tsUs;
    d.ipVersion = s.addressLength == 4 ? 4 : 6;
    System.arraycopy(s.srcIp, 0, d.srcIp, 0, 16);
    System.arraycopy(s.dstIp, 0, d.dstIp, 0, 16);
    d.srcPort = s.srcPort;
    d.dstPort = s.dstPort;
    d.seq = s.seq;
    d.ack = s.ack;
    d.flags = s.flags;
    d.window = s.window;
    d.payloadLength = s.payloadLength;
    d.frameLength = s.frameLength;
    d.fragmented = s.fragmented;
    d.optionsOffset = 0;
    d.optionsLength = 0;
  }

  /** Waits until the processor committed past every published segment; returns its rate. */
  private double awaitProcessed(Properties client, String applicationId,
      ProcessorRuntime processor) throws Exception {
    try (Admin admin = Admin.create(client)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(TcpscopeTopics.SEGMENTS, p), OffsetSpec.latest());
      }
      long end = 0;
      for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
        end += e.offset();
      }
      long firstAt = 0;
      long firstOffset = -1;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (processor.failure() != null) {
          throw new IllegalStateException("the processor failed", processor.failure());
        }
        long done = 0;
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
        for (OffsetAndMetadata o : committed.values()) {
          done += o == null ? 0 : o.offset();
        }
        long now = System.nanoTime();
        if (done > 0 && firstOffset < 0) {
          firstOffset = done;
          firstAt = now;
        }
        if (done >= end) {
          // heartbeats are on the topic too; count only segments
          double seconds = (now - firstAt) / 1e9;
          return seconds <= 0 ? Double.NaN : (segments - firstOffset) / seconds;
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("the processor did not catch up within 10 minutes");
    }
  }

  /** Refused connections at a steady rate; latency from each RST's publish to its report. */
  private void measureLatency(Properties client, int perSecond, int seconds) throws Exception {
    int total = perSecond * seconds;
    long[] latencyMs = new long[total];
    int[] received = {0};
    // Each refused connection has its own client endpoint: one seen twice is a repeated
    // anomaly, which exactly-once must never produce (so the bench checks it, not just times).
    Set<String> clients = new HashSet<>();
    int[] repeated = {0};
    AtomicBoolean done = new AtomicBoolean();
    SingleObjectSerde<SuspiciousSession> serde = TcpscopeSerdes.suspiciousSession();
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer
          .partitionsFor(TcpscopeTopics.SUSPICIOUS_SESSIONS).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      Thread reader = new Thread(() -> {
        while (!done.get() && received[0] < total) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
            long now = System.currentTimeMillis();
            SuspiciousSession s = serde.decode(r.value());
            if (!clients.add(s.getClientIp() + ":" + s.getClientPort())) {
              repeated[0]++;
              continue;
            }
            if (received[0] < total) {
              latencyMs[received[0]++] = now - s.getEndUs() / 1000;
            }
          }
        }
      }, "bench-latency-reader");
      reader.start();
      publishRefusedConnections(client, perSecond, seconds);
      reader.join(TimeUnit.SECONDS.toMillis(seconds + 60L));
      done.set(true);
      reader.join();
    }
    int n = received[0];
    long[] sorted = Arrays.copyOf(latencyMs, n);
    Arrays.sort(sorted);
    out.println("latency_sessions=" + n + " of " + total);
    out.println("latency_repeated_sessions=" + repeated[0]);
    if (n > 0) {
      out.println("latency_p50_ms=" + sorted[n / 2]);
      out.println("latency_p99_ms=" + sorted[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]);
      out.println("latency_max_ms=" + sorted[n - 1]);
    }
  }

  private static void publishRefusedConnections(Properties client, int perSecond, int seconds)
      throws Exception {
    DecodedSegment d = new DecodedSegment();
    d.frame = new byte[0];
    d.ipVersion = 4;
    d.frameLength = 54;
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client,
        TcpscopeTopics.SEGMENTS, new SegmentRecords("bench-latency", "synthetic"))) {
      long start = System.nanoTime();
      int port = 1024;
      int host = 0;
      for (int i = 0; i < perSecond * seconds; i++) {
        long due = start + (long) (i * (1e9 / perSecond));
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (++port > 65000) {
          port = 1024;
          host++;
        }
        long nowUs = System.currentTimeMillis() * 1000;
        fill(d, true, host, port, 0x02, 1000, 0, nowUs); // SYN
        publisher.publish(d);
        fill(d, false, host, port, 0x14, 0, 1001, nowUs); // RST+ACK from the closed port
        publisher.publish(d);
      }
      publisher.flush(Duration.ofMinutes(1));
    }
  }

  private static void fill(DecodedSegment d, boolean fromClient, int host, int port, int flags,
      long seq, long ack, long tsUs) {
    byte[] client = fromClient ? d.srcIp : d.dstIp;
    byte[] server = fromClient ? d.dstIp : d.srcIp;
    client[0] = 10;
    client[1] = 9;
    client[2] = (byte) (host >> 8);
    client[3] = (byte) host;
    server[0] = (byte) 192;
    server[1] = (byte) 168;
    server[2] = 9;
    server[3] = 1;
    d.srcPort = fromClient ? port : 5432;
    d.dstPort = fromClient ? 5432 : port;
    d.flags = flags;
    d.seq = seq;
    d.ack = ack;
    d.tsUs = tsUs;
  }
}
