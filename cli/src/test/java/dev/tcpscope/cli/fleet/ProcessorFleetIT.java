package dev.tcpscope.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.SessionReport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Processors as a fleet runs them, each {@code bin/tcpscope processor} in its own process on a
 * real (embedded) broker: two instances sharing the partitions, one killed mid-stream; any
 * instance answering for the sessions all of them hold; a processor with another application
 * id judging the retained segments again with other thresholds.
 */
class ProcessorFleetIT {
  private static final int PARTITIONS = 4;
  private static final Pattern HTTP = Pattern.compile("tcpscope processor: http://([^/]+)/metrics");

  private static EmbeddedKafkaBroker broker;
  private static Path work;
  private static Properties client;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tcpscope-fleet-");
    client = broker.clientSettings();
    TopicSetup.ensure(client, broker.bootstrapServers(), TopicSetup.TOPICS, PARTITIONS,
        (short) 1);
    // A killed instance's partitions move after the group's session timeout: keep it short.
    Files.writeString(work.resolve("processor.properties"),
        "session.timeout.ms=6000\nheartbeat.interval.ms=1500\n"
            // tasks go to a new instance at once, not after warm-up and a probing rebalance
            + "acceptable.recovery.lag=1000000000\n");
  }

  @AfterAll
  static void stopBroker() throws IOException {
    broker.close();
    ProcessorProcess.keepLogs(work);
    EmbeddedKafkaBroker.deleteRecursively(work);
  }

  private static List<String> args(String applicationId, String instance, String... more) {
    List<String> args = new ArrayList<>(List.of("--bootstrap-server", broker.bootstrapServers(),
        "--application-id", applicationId, "--state-dir", work.resolve(instance).toString(),
        "--from-beginning", "--kafka-config", work.resolve("processor.properties").toString(),
        "--partitions", String.valueOf(PARTITIONS)));
    args.addAll(List.of(more));
    return args;
  }

  /**
   * Publishes segments as an agent replaying a file does, {@code perSecond} at most, then its
   * last heartbeat (which ends the file's open sessions) unless the capture goes on.
   */
  private static void publish(String observer, List<DecodedSegment> segments, int perSecond,
      Runnable atFortyPercent, Runnable atSeventyPercent) throws Exception {
    publish(TcpscopeTopics.SEGMENTS, observer, segments, perSecond, atFortyPercent,
        atSeventyPercent, true);
  }

  private static void publish(String topic, String observer, List<DecodedSegment> segments,
      int perSecond, Runnable atFortyPercent, Runnable atSeventyPercent, boolean endOfCapture)
      throws Exception {
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client, topic,
        new SegmentRecords(observer, "synthetic"))) {
      long start = System.nanoTime();
      for (int i = 0; i < segments.size(); i++) {
        long due = start + (long) (i * (1e9 / perSecond));
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        publisher.publish(segments.get(i));
        if (i == segments.size() * 4 / 10 && atFortyPercent != null) {
          atFortyPercent.run();
        }
        if (i == segments.size() * 7 / 10 && atSeventyPercent != null) {
          atSeventyPercent.run();
        }
      }
      publisher.heartbeat(AgentHeartbeat.newBuilder().setObserver(observer).setSource("synthetic")
          .setCaptureClockUs(segments.get(segments.size() - 1).tsUs)
          .setSentAtMs(System.currentTimeMillis()).setFrames(segments.size())
          .setSegments(segments.size()).setHeaderErrors(0).setPublished(segments.size())
          .setDroppedByAgent(0).setDroppedByCapture(0).setDropping(false)
          .setEndOfCapture(endOfCapture)
          .setVersion("test").build());
      publisher.flush(Duration.ofSeconds(30));
      assertThat(publisher.failed()).isZero();
    }
  }

  /** What analyze's engine reports for the same segments: the undisturbed run. */
  private static Map<Long, String> expected(String observer, List<DecodedSegment> segments,
      RuleSettings rules) {
    return Verdicts.undisturbed(observer, segments, rules);
  }

  /** Every record of the observer on the topic, read_committed, with repeats kept. */
  private static List<SuspiciousSession> published(String topic, String observer)
      throws Exception {
    return Verdicts.committed(client, topic, observer);
  }

  /** Waits until {@code members} instances of the application each process segment partitions. */
  private static void awaitMembersWithSegments(String applicationId, int members)
      throws Exception {
    awaitMembersWithSegments(applicationId, TcpscopeTopics.SEGMENTS, members);
  }

  private static void awaitMembersWithSegments(String applicationId, String segmentsTopic,
      int members) throws Exception {
    try (Admin admin = Admin.create(client)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) {
        var group = admin.describeConsumerGroups(List.of(applicationId)).all()
            .get(30, TimeUnit.SECONDS).get(applicationId);
        long working = group.members().stream().filter(m -> m.assignment().topicPartitions()
            .stream().anyMatch(tp -> tp.topic().equals(segmentsTopic))).count();
        if (working >= members) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("only " + working + " of " + members + " instances of "
              + applicationId + " process segments: " + group);
        }
        Thread.sleep(200);
      }
    }
  }

  /** Waits until the application has committed past the end of the segment topic. */
  private static void awaitProcessed(String applicationId, ProcessorProcess... instances)
      throws Exception {
    awaitProcessed(TcpscopeTopics.SEGMENTS, applicationId, instances);
  }

  private static void awaitProcessed(String segmentsTopic, String applicationId,
      ProcessorProcess... instances) throws Exception {
    ProcessorProcess.awaitProcessed(client, segmentsTopic, PARTITIONS, applicationId,
        Duration.ofSeconds(180), instances);
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void anInstanceKilledMidStreamLosesAndRepeatsNoAnomaly() throws Exception {
    List<DecodedSegment> segments = MixedTraffic.of(4000, 1500);
    Map<Long, String> expected = expected("kill-test", segments, RuleSettings.defaults());
    assertThat(expected).hasSize(3000); // refused, aborted and retransmitting: 3 in 4

    String app = "fleet-kill";
    String topic = "tcpscope.suspicious-sessions.kill-test";
    ProcessorProcess[] b = new ProcessorProcess[1];
    Thread[] restart = new Thread[1];
    Exception[] restartFailure = new Exception[1];
    try (ProcessorProcess a = ProcessorProcess.start(work, "kill-a",
        args(app, "kill-a", "--suspicious-topic", topic))) {
      b[0] = ProcessorProcess.start(work, "kill-b", args(app, "kill-b", "--suspicious-topic", topic));
      // Both must hold segment partitions when one is killed, or the kill proves nothing.
      awaitMembersWithSegments(app, 2);
      publish("kill-test", segments, 4000, () -> {
        try {
          b[0].kill();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, () -> {
        // Started beside the publishing, which goes on meanwhile, as agents do.
        restart[0] = new Thread(() -> {
          try {
            b[0] = ProcessorProcess.start(work, "kill-b",
                args(app, "kill-b", "--suspicious-topic", topic));
          } catch (IOException | InterruptedException | RuntimeException e) {
            restartFailure[0] = e;
          }
        });
        restart[0].start();
      });
      restart[0].join();
      assertThat(restartFailure[0]).isNull();
      awaitProcessed(app, a, b[0]);
      assertThat(a.alive()).as(a.log()).isTrue();
      assertThat(b[0].alive()).as(b[0].log()).isTrue();
    } finally {
      if (b[0] != null) {
        b[0].close();
      }
    }
    List<SuspiciousSession> out = published(topic, "kill-test");
    Map<Long, String> actual = Verdicts.byId(out);
    assertThat(out).as("none repeated").hasSize(actual.size());
    if (!actual.equals(expected)) {
      throw new AssertionError("none lost, none changed: " + lossDiagnosis(topic,
          Verdicts.reports("kill-test", "synthetic", segments, RuleSettings.defaults()), actual,
          segments.get(0).tsUs, segments.get(segments.size() - 1).tsUs)
          + Verdicts.difference(expected, actual));
    }
  }

  /**
   * Where the lost verdicts were: by segment partition and by tenth of the traffic (the kill is
   * at 4/10, the restart at 7/10), and whether an aborted transaction had them.
   */
  private String lossDiagnosis(String topic, List<SessionReport> reports,
      Map<Long, String> actual, long firstUs, long lastUs) throws Exception {
    Set<Long> uncommitted = new HashSet<>();
    for (SuspiciousSession s : Verdicts.sessions(client, topic, "kill-test", "read_uncommitted")) {
      uncommitted.add(s.getSessionId());
    }
    SingleObjectSerde<dev.tcpscope.schemas.v1.ConnectionKey> keys =
        TcpscopeSerdes.connectionKey();
    Map<String, Integer> lostBy = new TreeMap<>();
    int lost = 0;
    int lostButUncommitted = 0;
    for (SessionReport r : reports) {
      if (r.reasons().isEmpty() || actual.containsKey(r.sessionId())) {
        continue;
      }
      lost++;
      if (uncommitted.contains(r.sessionId())) {
        lostButUncommitted++;
      }
      byte[] key = keys.encode(dev.tcpscope.schemas.serde.ConnectionKeys.of(
          java.net.InetAddress.getByName(r.clientIp()).getAddress(), r.clientPort(),
          java.net.InetAddress.getByName(r.serverIp()).getAddress(), r.serverPort()));
      int partition = org.apache.kafka.common.utils.Utils.toPositive(
          org.apache.kafka.common.utils.Utils.murmur2(key)) % PARTITIONS;
      long tenth = (r.endUs() - firstUs) * 10 / Math.max(1, lastUs - firstUs);
      lostBy.merge("partition " + partition + " tenth " + tenth, 1, Integer::sum);
    }
    return "\n  " + lost + " lost (" + lostButUncommitted + " of them in aborted transactions): "
        + lostBy + "\n";
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void anyInstanceListsTheSessionsEveryInstanceHoldsNow() throws Exception {
    // 200 connections past their handshake, none closed: open in the processors' stores.
    List<DecodedSegment> open = MixedTraffic.openConnections(200, 1000);
    String app = "fleet-iq";
    // A segment topic of its own: the instances start empty, as a new deployment does.
    String topic = "tcpscope.segments.iq-test";
    TopicSetup.ensure(client, broker.bootstrapServers(), List.of(topic), PARTITIONS, (short) 1);
    try (ProcessorProcess a = ProcessorProcess.start(work, "iq-a", args(app, "iq-a",
            "--http-port", "0", "--commit-interval-ms", "200", "--segments-topic", topic));
        ProcessorProcess b = ProcessorProcess.start(work, "iq-b", args(app, "iq-b",
            "--http-port", "0", "--commit-interval-ms", "200", "--segments-topic", topic))) {
      awaitMembersWithSegments(app, topic, 2);
      publish(topic, "iq-test", open, 20_000, null, null, false); // a live capture: it goes on
      awaitProcessed(topic, app, a, b);
      Thread.sleep(1000); // stores are read as of their last commit
      String hostA = httpAddress(a);
      String hostB = httpAddress(b);

      List<JsonNode> all = sessions(hostA, null, false);
      assertThat(all).hasSize(200).allSatisfy(s -> {
        assertThat(s.get("observer").asText()).isEqualTo("iq-test");
        assertThat(s.get("ended_by").asText()).isEqualTo("open");
        assertThat(s.get("client_state").asText()).isEqualTo("ESTABLISHED");
        assertThat(s.get("segments").asLong()).isEqualTo(3);
      });
      int onA = sessions(hostA, null, true).size();
      int onB = sessions(hostB, null, true).size();
      assertThat(onA).as("each instance holds a part").isPositive();
      assertThat(onB).as("each instance holds a part").isPositive();
      assertThat(onA + onB).isEqualTo(200);
      assertThat(sessions(hostB, null, false)).hasSize(200);

      // One connection, asked of either instance, either side first.
      String connection = "10.30.0.1:8443-10.20.0.1:10004";
      assertThat(sessions(hostA, connection, false)).singleElement()
          .satisfies(s -> assertThat(s.get("client_port").asInt()).isEqualTo(10004));
      assertThat(sessions(hostB, connection, false)).hasSize(1);

      HttpClient http = HttpClient.newHttpClient();
      assertThat(http.send(HttpRequest.newBuilder(URI.create("http://" + hostA + "/health"))
          .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      String metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + hostB
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("tcpscope_processor_segments_total")
          .contains("tcpscope_processor_sessions_open").contains("kafka_consumer");
    }
  }

  private static String httpAddress(ProcessorProcess p) throws IOException {
    Matcher m = HTTP.matcher(p.log());
    assertThat(m.find()).as(p.log()).isTrue();
    return m.group(1);
  }

  private static List<JsonNode> sessions(String host, String connection, boolean local)
      throws Exception {
    String uri = "http://" + host + "/sessions?" + (local ? "scope=local" : "scope=all")
        + (connection == null ? "" : "&connection=" + connection);
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (!line.isBlank()) {
        out.add(json.readTree(line));
      }
    }
    return out;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void anotherApplicationIdJudgesTheRetainedSegmentsAgainWithOtherThresholds() throws Exception {
    List<DecodedSegment> segments = MixedTraffic.of(400, 2000);
    publish("past", segments, 50_000, null, null);
    RuleSettings strict = new RuleSettings(0, 0, 2000, true, 1, true, false, 65_536, 1_048_576,
        0, false);
    Map<Long, String> live = expected("past", segments, RuleSettings.defaults());
    Map<Long, String> rejudged = expected("past", segments, strict);
    assertThat(rejudged).as("-r 2000 no longer flags the 1.2 s retransmissions")
        .hasSizeLessThan(live.size());

    try (ProcessorProcess first = ProcessorProcess.start(work, "past-live",
        args("fleet-live", "past-live", "--suspicious-topic", "tcpscope.suspicious-sessions.live"))) {
      awaitProcessed("fleet-live", first);
    }
    // Hours later, without any stored capture: the segments are still on their topic.
    try (ProcessorProcess again = ProcessorProcess.start(work, "past-rejudge",
        args("fleet-rejudge", "past-rejudge", "-r", "2000", "--suspicious-topic",
            "tcpscope.suspicious-sessions.rejudged"))) {
      awaitProcessed("fleet-rejudge", again);
    }
    Map<Long, String> liveOut = byId(published("tcpscope.suspicious-sessions.live", "past"));
    assertThat(liveOut).as(Verdicts.difference(live, liveOut)).isEqualTo(live);
    Map<Long, String> again = byId(published("tcpscope.suspicious-sessions.rejudged", "past"));
    assertThat(again).as(Verdicts.difference(rejudged, again)).isEqualTo(rejudged);
    // What kept these segments retained although captured long ago: arrival time stamps.
    assertThat(timestampTypes(TcpscopeTopics.SEGMENTS, "tcpscope.suspicious-sessions.rejudged",
        "fleet-rejudge-tcpscope-hotspots-changelog"))
        .containsOnly(Map.entry(TcpscopeTopics.SEGMENTS, "LogAppendTime"),
            Map.entry("tcpscope.suspicious-sessions.rejudged", "LogAppendTime"),
            Map.entry("fleet-rejudge-tcpscope-hotspots-changelog", "LogAppendTime"));
  }

  private static Map<String, String> timestampTypes(String... topics) throws Exception {
    try (Admin admin = Admin.create(client)) {
      List<org.apache.kafka.common.config.ConfigResource> resources = new ArrayList<>();
      for (String topic : topics) {
        resources.add(new org.apache.kafka.common.config.ConfigResource(
            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic));
      }
      Map<String, String> types = new TreeMap<>();
      admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).forEach((r, config) ->
          types.put(r.name(), config.get("message.timestamp.type").value()));
      return types;
    }
  }

  /** Each published session's verdict by id; every session published once. */
  private static Map<Long, String> byId(List<SuspiciousSession> sessions) {
    Map<Long, String> byId = Verdicts.byId(sessions);
    assertThat(byId).as("published once").hasSize(sessions.size());
    return byId;
  }
}
