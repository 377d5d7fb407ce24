package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code agents} as a fleet check: its exit code says whether every agent is heard from. */
class AgentsCommandTest {

  @Test
  @Timeout(120)
  void exitsFourWhenAnAgentIsStaleOrNoneIsListed() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Properties client = broker.clientSettings();
      TopicSetup.ensure(client, broker.bootstrapServers(), TopicSetup.TOPICS, 2, (short) 1);

      CommandRun none = CommandRun.of("agents", "--bootstrap-server", broker.bootstrapServers());
      assertThat(none.exitCode()).as(none.err()).isEqualTo(4);
      assertThat(none.err()).contains("no agent has sent a heartbeat");
      assertThat(none.out()).contains("0 agents");

      long now = System.currentTimeMillis();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client,
          new ByteArraySerializer(), new ByteArraySerializer())) {
        send(producer, heartbeat("host-live", now - 1_000, false));
        send(producer, heartbeat("host-done", now - 3_600_000, true)); // a replayed file, ended
        send(producer, heartbeat("host-quiet", now - 300_000, false)); // five minutes silent
      }

      CommandRun check = CommandRun.of("agents", "--bootstrap-server", broker.bootstrapServers(),
          "--stale-after", "60");
      assertThat(check.exitCode()).as(check.err()).isEqualTo(4);
      assertThat(check.out()).containsPattern("host-live +live")
          .containsPattern("host-done +finished").containsPattern("host-quiet +stale")
          .contains("3 agents");
      assertThat(check.err()).contains("1 stale (silent longer than 60 s): host-quiet")
          .doesNotContain("host-live").doesNotContain("host-done");

      CommandRun lenient = CommandRun.of("agents", "--bootstrap-server",
          broker.bootstrapServers(), "--stale-after", "3600");
      assertThat(lenient.exitCode()).as(lenient.err()).isZero();
      assertThat(lenient.out()).containsPattern("host-quiet +live");
    }
  }

  private static AgentHeartbeat heartbeat(String observer, long sentAtMs, boolean ended) {
    return AgentHeartbeat.newBuilder().setObserver(observer).setSource("eth0")
        .setCaptureClockUs(sentAtMs * 1000).setSentAtMs(sentAtMs).setFrames(100)
        .setSegments(90).setHeaderErrors(0).setPublished(90).setDroppedByAgent(0)
        .setDroppedByCapture(0).setVersion("0.1.0").setEndOfCapture(ended).build();
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, AgentHeartbeat heartbeat)
      throws Exception {
    producer.send(new ProducerRecord<>(TcpscopeTopics.HEARTBEATS,
        heartbeat.getObserver().getBytes(StandardCharsets.UTF_8),
        TcpscopeSerdes.agentHeartbeat().encode(heartbeat))).get();
  }
}
