package dev.tcpscope.cli.fleet;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.cli.TopicRecords;
import dev.tcpscope.cli.command.Segments;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Verdicts on sessions, one summary line per session id: the engine's own, computed in this
 * process on the same segments (the undisturbed run), and those a run published, read
 * read_committed: how every fleet and fault test compares.
 */
final class Verdicts {
  private Verdicts() {}

  /** What analyze's engine reports for the segments: the undisturbed run, by session id. */
  static Map<Long, String> undisturbed(String observer, List<DecodedSegment> segments,
      RuleSettings rules) {
    Map<Long, String> byId = new TreeMap<>();
    for (SessionReport r : reports(observer, "synthetic", segments, rules)) {
      byId.put(r.sessionId(), summary(r.reasons(), r.segments(), r.bytes(), r.connState(),
          r.history(), r.endedBy()));
    }
    return byId;
  }

  /** The engine's reports on the segments of one capture, in the order it made them. */
  static List<SessionReport> reports(String observer, String source,
      List<DecodedSegment> segments, RuleSettings rules) {
    List<SessionReport> reports = new ArrayList<>();
    SessionTable table = new SessionTable(rules, observer, reports::add);
    table.source(source);
    Segment s = new Segment();
    for (DecodedSegment d : segments) {
      Segments.copy(d, s);
      table.onSegment(s);
    }
    table.endOfCapture();
    return reports;
  }

  static String summary(List<? extends CharSequence> reasons, long segments, long bytes,
      CharSequence connState, CharSequence history, CharSequence endedBy) {
    return reasons + " " + segments + " segments " + bytes + " bytes " + connState + " "
        + history + " " + endedBy;
  }

  /**
   * Every record of the observer on the topic, read_committed, repeats kept; first waits until
   * no transaction is open on the topic (a read_committed reader stops before an open one).
   */
  static List<SuspiciousSession> committed(Properties client, String topic, String observer)
      throws Exception {
    awaitNoOpenTransaction(client, topic);
    return sessions(client, topic, observer, "read_committed");
  }

  /** Every record of the observer on the topic, read with the isolation level given. */
  static List<SuspiciousSession> sessions(Properties client, String topic, String observer,
      String isolation) {
    SingleObjectSerde<SuspiciousSession> serde = TcpscopeSerdes.suspiciousSession();
    List<SuspiciousSession> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : TopicRecords.records(client, topic, isolation)) {
      SuspiciousSession s = serde.decode(r.value());
      if (s.getObserver().equals(observer)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Records per partition of the topic, read with the isolation level given (read_uncommitted
   * also counts aborted transactions' records): what a failing fault test needs to tell
   * records never written from records written and aborted.
   */
  static Map<Integer, Long> recordsPerPartition(Properties client, String topic,
      String isolation) {
    Map<Integer, Long> counts = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> r : TopicRecords.records(client, topic, isolation)) {
      counts.merge(r.partition(), 1L, Long::sum);
    }
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      counts.put(-1, consumer.endOffsets(partitions).values().stream()
          .mapToLong(Long::longValue).sum());
    }
    return counts;
  }

  static Map<Long, String> byId(List<SuspiciousSession> sessions) {
    Map<Long, String> byId = new TreeMap<>();
    for (SuspiciousSession s : sessions) {
      byId.put(s.getSessionId(), summary(s.getReasons(), s.getSegments(), s.getBytes(),
          s.getConnState(), s.getHistory(), s.getEndedBy()));
    }
    return byId;
  }

  /**
   * Waits until no transaction is open on the topic: a killed or failed instance's last
   * transaction holds read_committed readers back until the coordinator aborts it.
   */
  static void awaitNoOpenTransaction(Properties client, String topic) throws Exception {
    try (Admin admin = Admin.create(client)) {
      var partitions = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(topic).partitions();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(i -> latest.put(new TopicPartition(topic, i.partition()),
          OffsetSpec.latest()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
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
        if (System.nanoTime() > deadline) {
          throw new AssertionError("a transaction on " + topic + " stayed open for 90 s: "
              + stable + " of " + end);
        }
        Thread.sleep(200);
      }
    }
  }

  /** What differs between two verdict maps, compactly: lost, added, changed. */
  static String difference(Map<Long, String> expected, Map<Long, String> actual) {
    StringBuilder d = new StringBuilder();
    expected.forEach((id, v) -> {
      String got = actual.get(id);
      if (got == null) {
        d.append("\n  lost ").append(id).append(' ').append(v);
      } else if (!got.equals(v)) {
        d.append("\n  changed ").append(id).append(' ').append(v).append(" -> ").append(got);
      }
    });
    actual.forEach((id, v) -> {
      if (!expected.containsKey(id)) {
        d.append("\n  added ").append(id).append(' ').append(v);
      }
    });
    return d.toString();
  }
}
