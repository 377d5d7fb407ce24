package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.web.WebView;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tcpscope web} against a cluster, as an operator starts it: before the processor has
 * created the topics, then fed by the anomaly, hotspot and heartbeat topics on a real broker.
 */
class WebViewOnBrokerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private JsonNode api(int port, String what) throws Exception {
    return JSON.readTree(http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/api/" + what)).build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  private static SuspiciousSession session(long endUs) {
    return SuspiciousSession.newBuilder()
        .setSource("eth0").setObserver("host-a").setSessionId(42).setClientIp("10.0.0.1")
        .setClientPort(40002).setServerIp("10.0.0.2").setServerPort(8443).setStartUs(endUs - 210)
        .setEndUs(endUs).setDurationMs(0.21).setSegments(2).setBytes(128)
        .setReasons(List.of("RST")).setClientState("CLOSED").setServerState("CLOSED")
        .setConnState("REJ").setHistory("Sr").setPartial(false).setShown(List.of()).build();
  }

  @Test
  @Timeout(120)
  void followsTopicsCreatedAfterItStartedAndServesWhatTheyCarry() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Properties client = broker.clientSettings();
      // stale only after a minute: a loaded machine must not turn the agent stale mid-test
      try (WebView view = WebView.start(client, new WebView.Settings(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100, Duration.ofMinutes(1)))) {
        int port = view.port();
        assertThat(view.followedPartitions()).isZero();
        assertThat(api(port, "sessions")).isEmpty();

        TopicSetup.ensure(client, broker.bootstrapServers(), TopicSetup.TOPICS, 2, (short) 1);
        long endUs = 1_767_268_800_057_300L;
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client,
            new ByteArraySerializer(), new ByteArraySerializer())) {
          byte[] key = {1};
          producer.send(new ProducerRecord<>(TcpscopeTopics.SUSPICIOUS_SESSIONS, key,
              "not a session".getBytes(StandardCharsets.UTF_8)));
          producer.send(new ProducerRecord<>(TcpscopeTopics.SUSPICIOUS_SESSIONS, key,
              TcpscopeSerdes.suspiciousSession().encode(session(endUs))));
          producer.send(new ProducerRecord<>(TcpscopeTopics.HOTSPOTS,
              "10.0.0.2:8443 RST".getBytes(StandardCharsets.UTF_8),
              TcpscopeSerdes.hotspot().encode(Hotspot.newBuilder().setServerIp("10.0.0.2")
                  .setServerPort(8443).setReason("RST").setWindowStartMs(endUs / 1000 - 60_000)
                  .setWindowEndMs(endUs / 1000 + 240_000).setSessions(1).setFirstEndUs(endUs)
                  .setLastEndUs(endUs).setObservers(List.of("host-a")).build())));
          for (int i = 0; i < 2; i++) {
            producer.send(new ProducerRecord<>(TcpscopeTopics.HEARTBEATS,
                "host-a".getBytes(StandardCharsets.UTF_8),
                TcpscopeSerdes.agentHeartbeat().encode(AgentHeartbeat.newBuilder()
                    .setObserver("host-a").setSource("eth0").setCaptureClockUs(now * 1000)
                    .setSentAtMs(now - 1000 + i * 1000).setFrames(100 + i * 50)
                    .setSegments(90 + i * 40).setHeaderErrors(0).setPublished(90 + i * 40)
                    .setDroppedByAgent(0).setDroppedByCapture(0).setVersion("0.1.0").build())));
          }
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> api(port, "sessions").size() == 1);
        JsonNode s = api(port, "sessions").get(0);
        assertThat(s.get("session_id").asLong()).isEqualTo(42);
        assertThat(s.get("conn_state").asText()).isEqualTo("REJ");
        assertThat(view.followedPartitions()).isEqualTo(2 * 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> api(port, "hotspots").get("rows").size() == 1);
        JsonNode hot = api(port, "hotspots");
        assertThat(hot.get("rows").get(0).get("key").asText()).isEqualTo("10.0.0.2:8443 RST");
        assertThat(hot.get("window_start_ms").asLong()).isEqualTo(endUs / 1000 - 60_000);
        JsonNode agent = api(port, "agents").get("agents").get(0);
        assertThat(agent.get("observer").asText()).isEqualTo("host-a");
        assertThat(agent.get("status").asText()).isEqualTo("live");
        assertThat(agent.get("segments_per_second").asDouble()).isEqualTo(40.0);

        // a page opened now starts with all of it, in order
        HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        List<String> names = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
          for (String line; names.size() < 4 && (line = in.readLine()) != null; ) {
            if (line.startsWith("event: ")) {
              names.add(line.substring(7));
            }
          }
        }
        assertThat(names).containsExactly("reset", "session", "hotspots", "agents");
      }
    }
  }

  @Test
  void wrongWebOptionsSayWhatIsAccepted() {
    CommandRun noBroker = CommandRun.of("web");
    assertThat(noBroker.exitCode()).isEqualTo(1);
    assertThat(noBroker.err()).contains("--bootstrap-server HOST:PORT is required");
    CommandRun badPort = CommandRun.of("web", "--bootstrap-server", "127.0.0.1:9", "--port", "70000");
    assertThat(badPort.exitCode()).isEqualTo(1);
    assertThat(badPort.err()).contains("--port takes a port from 0 to 65535");
    CommandRun badWeb = CommandRun.of("demo", "--web", "-1");
    assertThat(badWeb.exitCode()).isEqualTo(1);
    assertThat(badWeb.err()).contains("--web takes a port from 0 to 65535");
  }
}
