package dev.tcpscope.session.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.RuleSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HotspotTopologyTest {
  private static final long MINUTE_MS = 60_000;
  /** 2026-01-01T12:00:00Z, on a minute boundary. */
  private static final long T0_MS = 1_767_268_800_000L;

  private final SingleObjectSerde<SuspiciousSession> sessions = TcpscopeSerdes.suspiciousSession();
  private final SingleObjectSerde<Hotspot> hotspots = TcpscopeSerdes.hotspot();
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> anomalies;
  private TestOutputTopic<String, byte[]> out;

  private void start(Topology topology) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "hotspot-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(topology, props);
    anomalies = driver.createInputTopic(TcpscopeTopics.SUSPICIOUS_SESSIONS,
        new ByteArraySerializer(), new ByteArraySerializer());
    out = driver.createOutputTopic(TcpscopeTopics.HOTSPOTS, new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private void startAlone() {
    start(HotspotTopology.build(TcpscopeTopics.SUSPICIOUS_SESSIONS, HotspotSettings.defaults()));
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  /** When the records reach the topic: a fixed time, months after any capture in here. */
  private static final long ARRIVAL_MS = 1_800_000_000_000L;

  private void report(String observer, String server, int port, long endMs, String... reasons) {
    SuspiciousSession s = SuspiciousSession.newBuilder()
        .setSource("eth0").setObserver(observer).setSessionId(endMs).setClientIp("10.0.0.1")
        .setClientPort(40000).setServerIp(server).setServerPort(port)
        .setStartUs((endMs - 5) * 1000).setEndUs(endMs * 1000).setDurationMs(5).setSegments(2)
        .setBytes(128).setReasons(List.of(reasons)).setClientState("CLOSED")
        .setServerState("CLOSED").setConnState("REJ").setHistory("Sr").setPartial(false)
        .setShown(List.of()).build();
    // Stamped as the broker stamps it (LogAppendTime): long after the capture. Windows must
    // come from the session's end in the value.
    anomalies.pipeInput(new TestRecord<>(new byte[] {1}, sessions.encode(s),
        Instant.ofEpochMilli(ARRIVAL_MS)));
  }

  /** The latest count of every (key, window start) published so far: what a consumer keeps. */
  private Map<String, Hotspot> latest() {
    Map<String, Hotspot> latest = new TreeMap<>();
    for (TestRecord<String, byte[]> r : out.readRecordsToList()) {
      Hotspot h = hotspots.decode(r.value());
      assertThat(r.key()).isEqualTo(HotspotTopology.key(h.getServerIp(), h.getServerPort(),
          h.getReason()));
      latest.put(r.key() + " @" + (h.getWindowStartMs() - T0_MS) / MINUTE_MS, h);
    }
    return latest;
  }

  @Test
  void countsSessionsPerServerEndpointAndReasonInEveryWindowThatHoldsThem() {
    startAlone();
    report("host-a", "10.0.0.2", 80, T0_MS + 1_000, "RST");
    report("host-b", "10.0.0.2", 80, T0_MS + 2_000, "RST", "RETRANSMIT");
    report("host-a", "10.0.0.2", 443, T0_MS + 3_000, "RST");

    Map<String, Hotspot> latest = latest();
    // 5-minute windows starting every minute: the four that began before T0 and the one at T0
    for (int start = -4; start <= 0; start++) {
      Hotspot rst80 = latest.get("10.0.0.2:80 RST @" + start);
      assertThat(rst80).as("window starting %d min from T0", start).isNotNull();
      assertThat(rst80.getSessions()).isEqualTo(2);
      assertThat(rst80.getObservers()).containsExactly("host-a", "host-b");
      assertThat(rst80.getWindowEndMs() - rst80.getWindowStartMs()).isEqualTo(5 * MINUTE_MS);
      assertThat(rst80.getFirstEndUs()).isEqualTo((T0_MS + 1_000) * 1000);
      assertThat(rst80.getLastEndUs()).isEqualTo((T0_MS + 2_000) * 1000);
      assertThat(latest.get("10.0.0.2:80 RETRANSMIT @" + start).getSessions()).isEqualTo(1);
      assertThat(latest.get("10.0.0.2:443 RST @" + start).getSessions()).isEqualTo(1);
    }
    assertThat(latest).hasSize(15);
  }

  @Test
  void laterSessionsOpenNewWindowsAndLeaveTheOldCountsAsTheyWere() {
    startAlone();
    report("host-a", "10.0.0.2", 80, T0_MS + 1_000, "RST");
    latest();
    report("host-a", "10.0.0.2", 80, T0_MS + 3 * MINUTE_MS + 1_000, "RST");

    Map<String, Hotspot> latest = latest();
    // windows starting at -1 .. 0 hold both sessions; 1 .. 3 only the second
    assertThat(latest.keySet()).containsExactly("10.0.0.2:80 RST @-1", "10.0.0.2:80 RST @0",
        "10.0.0.2:80 RST @1", "10.0.0.2:80 RST @2", "10.0.0.2:80 RST @3");
    assertThat(latest.get("10.0.0.2:80 RST @-1").getSessions()).isEqualTo(2);
    assertThat(latest.get("10.0.0.2:80 RST @0").getSessions()).isEqualTo(2);
    assertThat(latest.get("10.0.0.2:80 RST @1").getSessions()).isEqualTo(1);
    assertThat(latest.get("10.0.0.2:80 RST @3").getSessions()).isEqualTo(1);
  }

  @Test
  void aSessionReportedLateStillCountsWithinTheGraceAndNotAfterIt() {
    startAlone();
    report("host-a", "10.0.0.2", 80, T0_MS + 20 * MINUTE_MS, "RST");
    latest();
    // a timed-out session, reported 15 minutes after its last segment: inside the grace
    report("host-a", "10.0.0.2", 80, T0_MS + 5 * MINUTE_MS + 1_000, "TIMEOUT");
    assertThat(latest().get("10.0.0.2:80 TIMEOUT @5").getSessions()).isEqualTo(1);
    // one ending before its windows' grace ran out (20 min + 0 ... -5 min - 16 min) is dropped
    report("host-a", "10.0.0.2", 80, T0_MS - 2 * MINUTE_MS, "TIMEOUT");
    assertThat(out.isEmpty()).isTrue();
  }

  @Test
  void observersAreListedUpToALimitWhileTheCountStaysExact() {
    startAlone();
    for (int i = 0; i < HotspotTopology.MAX_OBSERVERS + 4; i++) {
      report(String.format("host-%02d", i), "10.0.0.2", 80, T0_MS + 1_000 + i, "RST");
    }
    Hotspot h = latest().get("10.0.0.2:80 RST @0");
    assertThat(h.getSessions()).isEqualTo(HotspotTopology.MAX_OBSERVERS + 4);
    assertThat(h.getObservers()).hasSize(HotspotTopology.MAX_OBSERVERS)
        .startsWith("host-00").isSorted();
  }

  @Test
  void undecodableRecordsOnTheAnomalyTopicAreSkippedAndCountingGoesOn() {
    startAlone();
    anomalies.pipeInput(new byte[] {1}, new byte[] {1, 2, 3});
    anomalies.pipeInput(new byte[] {1}, (byte[]) null);
    assertThat(out.isEmpty()).isTrue();
    report("host-a", "2001:db8::2", 443, T0_MS + 1_000, "RST");
    assertThat(latest()).containsKey("[2001:db8::2]:443 RST @0");
  }

  @Test
  void windowsMustHopWithinTheirSize() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HotspotSettings(
            TcpscopeTopics.HOTSPOTS, Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("advance");
  }

  @Test
  void theSessionTopologyPublishesHotspotsOfTheSessionsItReports() {
    start(SessionTopology.build(TopologySettings.defaults(RuleSettings.defaults())));
    TestInputTopic<byte[], byte[]> segments = driver.createInputTopic(TcpscopeTopics.SEGMENTS,
        new ByteArraySerializer(), new ByteArraySerializer());
    SingleObjectSerde<TcpSegment> segmentSerde = TcpscopeSerdes.tcpSegment();
    byte[] client = {10, 0, 0, 1};
    byte[] server = {10, 0, 0, 2};
    byte[] key = TcpscopeSerdes.connectionKey().encode(new ConnectionKey(ByteBuffer.wrap(client),
        40002, ByteBuffer.wrap(server), 8443));
    long t0Us = (T0_MS + 1_000) * 1000;
    // a refused connection: SYN, then RST+ACK from the closed port
    for (int i = 0; i < 2; i++) {
      boolean fromClient = i == 0;
      TcpSegment s = TcpSegment.newBuilder().setObserver("host-a").setSource("eth0")
          .setTsUs(t0Us + i * 100)
          .setSrcIp(ByteBuffer.wrap(fromClient ? client : server))
          .setSrcPort(fromClient ? 40002 : 8443)
          .setDstIp(ByteBuffer.wrap(fromClient ? server : client))
          .setDstPort(fromClient ? 8443 : 40002)
          .setSeq(fromClient ? 7 : 0).setAck(fromClient ? 0 : 8)
          .setFlags(fromClient ? 0x02 : 0x14).setWindow(1000).setPayloadLength(0)
          .setFrameLength(54).setFragmented(false).setOptions(ByteBuffer.allocate(0)).build();
      segments.pipeInput(new TestRecord<>(key, segmentSerde.encode(s),
          Instant.ofEpochMilli((t0Us + i * 100) / 1000)));
    }
    Hotspot h = latest().get("10.0.0.2:8443 RST @0");
    assertThat(h).isNotNull();
    assertThat(h.getSessions()).isEqualTo(1);
    assertThat(h.getObservers()).containsExactly("host-a");
  }
}
