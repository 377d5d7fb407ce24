package dev.tcpscope.session.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.RuleSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionTopologyTest {
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final int RST = 0x04;
  private static final int FIN = 0x01;
  private static final long T0_US = 1_767_268_800_000_000L;

  private final SingleObjectSerde<TcpSegment> segments = TcpscopeSerdes.tcpSegment();
  private final SingleObjectSerde<ConnectionKey> keys = TcpscopeSerdes.connectionKey();
  private final SingleObjectSerde<SuspiciousSession> sessions = TcpscopeSerdes.suspiciousSession();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> suspicious;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(
        SessionTopology.build(TopologySettings.defaults(RuleSettings.defaults())), props);
    input = driver.createInputTopic(TcpscopeTopics.SEGMENTS, new ByteArraySerializer(),
        new ByteArraySerializer());
    suspicious = driver.createOutputTopic(TcpscopeTopics.SUSPICIOUS_SESSIONS,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    deadLetters = driver.createOutputTopic(TcpscopeTopics.DEAD_LETTER,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static byte[] ip(int last) {
    return new byte[] {10, 0, 0, (byte) last};
  }

  private ConnectionKey key(int clientPort) {
    return new ConnectionKey(ByteBuffer.wrap(ip(1)), clientPort, ByteBuffer.wrap(ip(2)), 80);
  }

  private void send(String observer, int clientPort, boolean fromClient, int flags, long seq,
      long ack, int payload, long atUs) {
    TcpSegment s = TcpSegment.newBuilder()
        .setObserver(observer)
        .setSource("eth0")
        .setTsUs(atUs)
        .setSrcIp(ByteBuffer.wrap(fromClient ? ip(1) : ip(2)))
        .setSrcPort(fromClient ? clientPort : 80)
        .setDstIp(ByteBuffer.wrap(fromClient ? ip(2) : ip(1)))
        .setDstPort(fromClient ? 80 : clientPort)
        .setSeq(seq).setAck(ack).setFlags(flags).setWindow(1000)
        .setPayloadLength(payload).setFrameLength(54 + payload).setFragmented(false)
        .setOptions(ByteBuffer.allocate(0))
        .build();
    input.pipeInput(new TestRecord<>(keys.encode(key(clientPort)), segments.encode(s),
        Instant.ofEpochMilli(atUs / 1000)));
  }

  private void cleanSession(String observer, int port, long atUs) {
    send(observer, port, true, SYN, 100, 0, 0, atUs);
    send(observer, port, false, SYN | ACK, 500, 101, 0, atUs + 100);
    send(observer, port, true, ACK, 101, 501, 0, atUs + 200);
    send(observer, port, true, ACK | FIN, 101, 501, 0, atUs + 300);
    send(observer, port, false, ACK | FIN, 501, 102, 0, atUs + 400);
    send(observer, port, true, ACK, 102, 502, 0, atUs + 500);
  }

  @Test
  void refusedConnectionIsPublishedAndCleanSessionIsNot() {
    cleanSession("host-a", 40001, T0_US);
    send("host-a", 40002, true, SYN, 7, 0, 0, T0_US + 1000);
    send("host-a", 40002, false, RST | ACK, 0, 8, 0, T0_US + 1100);

    List<TestRecord<byte[], byte[]>> out = suspicious.readRecordsToList();
    assertThat(out).hasSize(1);
    SuspiciousSession s = sessions.decode(out.get(0).value());
    assertThat(s.getClientPort()).isEqualTo(40002);
    assertThat(s.getReasons()).containsExactly("RST");
    assertThat(s.getConnState()).isEqualTo("REJ");
    assertThat(s.getObserver()).isEqualTo("host-a");
    assertThat(s.getSource()).isEqualTo("eth0");
    assertThat(out.get(0).key()).isEqualTo(keys.encode(key(40002)));
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  @Test
  void eachObserverHasItsOwnSessionOfTheSameConnection() {
    send("host-a", 40003, true, SYN, 7, 0, 0, T0_US);
    send("host-b", 40003, true, SYN, 7, 0, 0, T0_US + 10);
    send("host-a", 40003, false, RST | ACK, 0, 8, 0, T0_US + 100);
    List<TestRecord<byte[], byte[]>> out = suspicious.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(sessions.decode(out.get(0).value()).getObserver()).isEqualTo("host-a");
    // host-b's session is still open: its SYN was not mistaken for a retransmission.
    send("host-b", 40003, false, RST | ACK, 0, 8, 0, T0_US + 200);
    assertThat(sessions.decode(suspicious.readValue()).getObserver()).isEqualTo("host-b");
  }

  @Test
  void halfOpenSessionTimesOutOnTheObserversCaptureClock() {
    send("host-a", 40004, true, SYN, 7, 0, 0, T0_US);
    cleanSession("host-a", 40005, T0_US + 10_000_000);
    assertThat(suspicious.isEmpty()).isTrue();
    // 31 s later on host-a's clock: the sweep ends the unanswered SYN.
    cleanSession("host-a", 40006, T0_US + 31_000_000);
    List<TestRecord<byte[], byte[]>> out = suspicious.readRecordsToList();
    assertThat(out).hasSize(1);
    SuspiciousSession s = sessions.decode(out.get(0).value());
    assertThat(s.getClientPort()).isEqualTo(40004);
    assertThat(s.getReasons()).containsExactly("TIMEOUT");
    assertThat(s.getEndedBy()).isEqualTo("timeout");
    assertThat(out.get(0).key()).isEqualTo(keys.encode(key(40004)));
  }

  private void heartbeat(String observer, String source, long clockUs, boolean endOfCapture) {
    heartbeat(observer, source, clockUs, endOfCapture, false);
  }

  private void heartbeat(String observer, String source, long clockUs, boolean endOfCapture,
      boolean dropping) {
    AgentHeartbeat h = AgentHeartbeat.newBuilder()
        .setObserver(observer).setSource(source).setCaptureClockUs(clockUs)
        .setSentAtMs(clockUs / 1000).setFrames(0).setSegments(0).setHeaderErrors(0)
        .setPublished(0).setDroppedByAgent(dropping ? 100 : 0).setDroppedByCapture(0)
        .setDropping(dropping).setEndOfCapture(endOfCapture).setVersion("test").build();
    input.pipeInput(new TestRecord<>(observer.getBytes(StandardCharsets.UTF_8),
        heartbeats.encode(h), Instant.ofEpochMilli(clockUs / 1000)));
  }

  @Test
  void heartbeatsEndAHangingSessionOnASilentNetwork() {
    send("host-a", 40010, true, SYN, 7, 0, 0, T0_US);
    heartbeat("host-a", "eth0", T0_US + 29_000_000, false);
    assertThat(suspicious.isEmpty()).as("29 s idle is not yet a timeout").isTrue();
    // Another observer's clock does not end host-a's session.
    heartbeat("host-b", "eth0", T0_US + 60_000_000, false);
    assertThat(suspicious.isEmpty()).as("host-b's clock is not host-a's").isTrue();
    heartbeat("host-a", "eth0", T0_US + 31_000_000, false);
    List<TestRecord<byte[], byte[]>> out = suspicious.readRecordsToList();
    assertThat(out).hasSize(1);
    SuspiciousSession s = sessions.decode(out.get(0).value());
    assertThat(s.getClientPort()).isEqualTo(40010);
    assertThat(s.getReasons()).containsExactly("TIMEOUT");
    assertThat(s.getEndedBy()).isEqualTo("timeout");
    assertThat(s.getConnState()).isEqualTo("S0");
    assertThat(out.get(0).key()).isEqualTo(keys.encode(key(40010)));
  }

  @Test
  void anEstablishedSessionIdlesNineHundredSecondsBeforeItTimesOut() {
    send("host-a", 40011, true, SYN, 100, 0, 0, T0_US);
    send("host-a", 40011, false, SYN | ACK, 500, 101, 0, T0_US + 100);
    send("host-a", 40011, true, ACK, 101, 501, 0, T0_US + 200);
    heartbeat("host-a", "eth0", T0_US + 899_000_000, false);
    assertThat(suspicious.isEmpty()).isTrue();
    heartbeat("host-a", "eth0", T0_US + 901_000_000, false);
    SuspiciousSession s = sessions.decode(suspicious.readValue());
    assertThat(s.getReasons()).containsExactly("TIMEOUT");
    assertThat(s.getConnState()).isEqualTo("S1");
    assertThat(suspicious.isEmpty()).isTrue();
  }

  @Test
  void anObserverThatFallsSilentHasItsClockMovedOnByTheWallClock() {
    send("host-a", 40014, true, SYN, 7, 0, 0, T0_US);
    // No record at all from host-a any more (its agent is gone): 10 s of grace, then its
    // capture clock follows the wall clock.
    driver.advanceWallClockTime(Duration.ofSeconds(30));
    assertThat(suspicious.isEmpty()).as("20 s past the grace: still under 30 s idle").isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(11));
    SuspiciousSession s = sessions.decode(suspicious.readValue());
    assertThat(s.getClientPort()).isEqualTo(40014);
    assertThat(s.getReasons()).containsExactly("TIMEOUT");
    assertThat(suspicious.isEmpty()).isTrue();
  }

  @Test
  void theLastHeartbeatOfACaptureFileEndsThatFilesOpenSessionsOnly() {
    // A session a rule already applies to (its SYN resent) still open when the file ends.
    send("host-a", 40012, true, SYN, 7, 0, 0, T0_US);
    send("host-a", 40012, true, SYN, 7, 0, 0, T0_US + 1_000_000);
    send("host-b", 40013, true, SYN, 9, 0, 0, T0_US);
    send("host-b", 40013, true, SYN, 9, 0, 0, T0_US + 1_000_000);
    heartbeat("host-a", "eth0", T0_US + 1_000_000, true);
    List<TestRecord<byte[], byte[]>> out = suspicious.readRecordsToList();
    assertThat(out).hasSize(1);
    SuspiciousSession s = sessions.decode(out.get(0).value());
    assertThat(s.getObserver()).isEqualTo("host-a");
    assertThat(s.getReasons()).containsExactly("SYN_RETRANSMIT");
    assertThat(s.getEndedBy()).isEqualTo("end_of_capture");
    // host-b's session is still open and ends with its own file
    heartbeat("host-b", "eth0", T0_US + 1_000_000, true);
    assertThat(sessions.decode(suspicious.readValue()).getObserver()).isEqualTo("host-b");
    assertThat(suspicious.isEmpty()).isTrue();
  }

  /** A session whose response is resent 1.5 s late, then closed. */
  private void retransmittingSession(String observer, int port, long atUs) {
    send(observer, port, true, SYN, 100, 0, 0, atUs);
    send(observer, port, false, SYN | ACK, 500, 101, 0, atUs + 100);
    send(observer, port, true, ACK, 101, 501, 0, atUs + 200);
    send(observer, port, false, ACK, 501, 101, 100, atUs + 300);
    send(observer, port, false, ACK, 501, 101, 100, atUs + 1_500_300);
    send(observer, port, true, ACK | FIN, 101, 601, 0, atUs + 1_500_400);
    send(observer, port, false, ACK | FIN, 601, 102, 0, atUs + 1_500_500);
    send(observer, port, true, ACK, 102, 602, 0, atUs + 1_500_600);
  }

  @Test
  void aLossVerdictMadeWhileTheObserverWasDroppingIsLowConfidenceAndOthersAreNot() {
    heartbeat("host-a", "eth0", T0_US, false);
    heartbeat("host-a", "eth0", T0_US + 1_000_000, false, true); // dropped in (T0, T0+1s]
    heartbeat("host-b", "eth0", T0_US, false);
    retransmittingSession("host-a", 40020, T0_US + 500_000);
    retransmittingSession("host-b", 40021, T0_US + 500_000);
    send("host-a", 40022, true, SYN, 7, 0, 0, T0_US + 600_000);
    send("host-a", 40022, false, RST | ACK, 0, 8, 0, T0_US + 600_100);

    java.util.Map<Integer, SuspiciousSession> byPort = new java.util.TreeMap<>();
    suspicious.readValuesToList().forEach(v -> {
      SuspiciousSession s = sessions.decode(v);
      byPort.put(s.getClientPort(), s);
    });
    assertThat(byPort).containsOnlyKeys(40020, 40021, 40022);
    assertThat(byPort.get(40020).getReasons()).containsExactly("RETRANSMIT");
    assertThat(byPort.get(40020).getLowConfidence()).as("host-a was dropping").isTrue();
    assertThat(byPort.get(40021).getLowConfidence()).as("host-b was not").isFalse();
    assertThat(byPort.get(40022).getLowConfidence()).as("a RST is no loss verdict").isFalse();
  }

  @Test
  void everyEndedSessionGoesToTheSessionsTopicWhenAskedAndOnlySuspiciousOnesToTheAnomalyTopic() {
    driver.close();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test-sessions");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    ProcessorMetrics metrics = ProcessorMetrics.unregistered();
    driver = new TopologyTestDriver(SessionTopology.build(TopologySettings
        .defaults(RuleSettings.defaults()).withSessionsTopic(TcpscopeTopics.SESSIONS)
        .withMetrics(metrics)), props);
    input = driver.createInputTopic(TcpscopeTopics.SEGMENTS, new ByteArraySerializer(),
        new ByteArraySerializer());
    suspicious = driver.createOutputTopic(TcpscopeTopics.SUSPICIOUS_SESSIONS,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    TestOutputTopic<byte[], byte[]> every = driver.createOutputTopic(TcpscopeTopics.SESSIONS,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());

    cleanSession("host-a", 40030, T0_US);
    send("host-a", 40031, true, SYN, 7, 0, 0, T0_US + 1000);
    send("host-a", 40031, false, RST | ACK, 0, 8, 0, T0_US + 1100);

    List<SuspiciousSession> all = every.readValuesToList().stream().map(sessions::decode).toList();
    assertThat(all).extracting(SuspiciousSession::getClientPort).containsExactly(40030, 40031);
    assertThat(all.get(0).getReasons()).isEmpty();
    assertThat(all.get(0).getConnState()).isEqualTo("SF");
    assertThat(all).allSatisfy(s -> assertThat(s.getShown()).isEmpty());
    List<SuspiciousSession> flagged =
        suspicious.readValuesToList().stream().map(sessions::decode).toList();
    assertThat(flagged).extracting(SuspiciousSession::getClientPort).containsExactly(40031);
    assertThat(flagged.get(0).getShown()).hasSize(2);
    assertThat(metrics.sessionsEnded.count()).isEqualTo(2);
    assertThat(metrics.segments.count()).isEqualTo(8);
    assertThat(metrics.registry().get("tcpscope.processor.suspicious").tag("reason", "RST")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void theStoreHoldsTheOpenSessionsAsOfTheLastCommitForInteractiveQueries() {
    send("host-a", 40040, true, SYN, 100, 0, 0, T0_US);
    send("host-a", 40040, false, SYN | ACK, 500, 101, 0, T0_US + 100);
    send("host-a", 40040, true, ACK, 101, 501, 0, T0_US + 200);
    send("host-b", 40041, true, SYN, 7, 0, 0, T0_US);
    OpenSessionStore store = (OpenSessionStore) driver.getStateStore(TopologySettings.STORE);
    List<dev.tcpscope.session.engine.SessionReport> open = store.committedSessions(null).stream()
        .map(dev.tcpscope.session.engine.SessionEngine::snapshot).toList();
    assertThat(open).extracting(r -> r.observer() + " " + r.clientPort() + " " + r.clientState()
        + " " + r.endedBy()).containsExactlyInAnyOrder("host-a 40040 ESTABLISHED open",
        "host-b 40041 SYN_SENT open");
    assertThat(store.committedSessions(SessionStoreKey.connectionPrefix(keys.encode(key(40041)))))
        .hasSize(1);
  }

  @Test
  void undecodableInputGoesToTheDeadLetterTopicWithAReasonAndProcessingGoesOn() {
    input.pipeInput(keys.encode(key(1)), new byte[] {1, 2, 3, 4, 5});
    byte[] truncated = segments.encode(TcpSegment.newBuilder()
        .setObserver("h").setSource("s").setTsUs(T0_US)
        .setSrcIp(ByteBuffer.wrap(ip(1))).setSrcPort(1).setDstIp(ByteBuffer.wrap(ip(2)))
        .setDstPort(80).setSeq(1).setAck(0).setFlags(SYN).setWindow(1).setPayloadLength(0)
        .setFrameLength(60).setFragmented(false).setOptions(ByteBuffer.allocate(0)).build());
    input.pipeInput(keys.encode(key(1)), java.util.Arrays.copyOf(truncated, truncated.length - 8));
    byte[] otherSchema = sessions.encode(sessions.decode(sessions.encode(sampleSession())));
    input.pipeInput(keys.encode(key(1)), otherSchema);

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(3);
    for (TestRecord<byte[], byte[]> record : dead) {
      Header reason = record.headers().lastHeader(TcpscopeTopics.DEAD_LETTER_REASON_HEADER);
      assertThat(reason).isNotNull();
      assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("TcpSegment");
    }
    // and the next good input is processed as usual
    send("host-a", 40007, true, SYN, 7, 0, 0, T0_US);
    send("host-a", 40007, false, RST | ACK, 0, 8, 0, T0_US + 100);
    assertThat(suspicious.readRecordsToList()).hasSize(1);
  }

  private static SuspiciousSession sampleSession() {
    return SuspiciousSession.newBuilder()
        .setSource("s").setObserver("o").setSessionId(1).setClientIp("10.0.0.1")
        .setClientPort(1).setServerIp("10.0.0.2").setServerPort(2).setStartUs(0).setEndUs(1)
        .setDurationMs(0).setSegments(1).setBytes(1).setReasons(List.of("RST"))
        .setClientState("CLOSED").setServerState("CLOSED").setConnState("REJ").setHistory("Sr")
        .setPartial(false).setShown(List.of()).build();
  }
}
