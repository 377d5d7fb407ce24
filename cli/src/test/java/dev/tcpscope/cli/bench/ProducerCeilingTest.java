package dev.tcpscope.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.cli.TopicRecords;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench agent's bare producer: it sends what the agent would send, all of it, on a broker. */
class ProducerCeilingTest {
  @TempDir Path dir;

  @Test
  void poolHoldsTheSegmentsAsTheAgentEncodesThem() throws Exception {
    Path capture = dir.resolve("c.pcap");
    AgentBench.writeCapture(capture, 1_000);
    ProducerCeiling ceiling = ProducerCeiling.encode(capture.toString(), "obs-1");

    List<long[]> replayed = new ArrayList<>();
    new CaptureFileReplay().replay(capture.toString(), (DecodedSegment s) ->
        replayed.add(new long[] {s.tsUs, s.seq, s.ack, s.srcPort, s.dstPort, s.payloadLength}));
    assertThat(ceiling.pooled()).isEqualTo(1_000).isEqualTo(replayed.size());
    for (int i = 0; i < ceiling.pooled(); i += 97) {
      TcpSegment v = TcpscopeSerdes.tcpSegment().decode(ceiling.value(i));
      assertThat(v.getObserver()).isEqualTo("obs-1");
      assertThat(v.getSource()).isEqualTo(capture.toString());
      assertThat(new long[] {v.getTsUs(), v.getSeq(), v.getAck(), v.getSrcPort(),
          v.getDstPort(), v.getPayloadLength()}).containsExactly(replayed.get(i));
      assertThat(TcpscopeSerdes.connectionKey().decode(ceiling.key(i))).isNotNull();
    }
  }

  @Test
  void sendsThePoolOverAndOverAndCountsEveryAnswer() throws Exception {
    Path capture = dir.resolve("c.pcap");
    AgentBench.writeCapture(capture, 1_000);
    ProducerCeiling ceiling = ProducerCeiling.encode(capture.toString(), "obs-2");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      TopicSetup.ensure(new Properties(), broker.bootstrapServers(),
          List.of(TcpscopeTopics.SEGMENTS), 4, (short) 1);
      Properties client = new Properties();
      client.put("bootstrap.servers", broker.bootstrapServers());

      ProducerCeiling.Run run = ceiling.send(client, 2_500);

      assertThat(run.sent()).isEqualTo(2_500);
      assertThat(run.acknowledged()).isEqualTo(2_500);
      assertThat(run.failed()).isZero();
      assertThat(run.perSecond()).isPositive();
      Map<ByteBuffer, Integer> copies = new HashMap<>();
      List<ConsumerRecord<byte[], byte[]>> records =
          TopicRecords.records(client, TcpscopeTopics.SEGMENTS, "read_uncommitted");
      assertThat(records).hasSize(2_500);
      records.forEach(r -> copies.merge(ByteBuffer.wrap(r.value()), 1, Integer::sum));
      // 2,500 = the 1,000 pooled segments twice, then the first 500 once more.
      for (int i = 0; i < ceiling.pooled(); i++) {
        assertThat(copies.get(ByteBuffer.wrap(ceiling.value(i)))).as("segment %d", i)
            .isEqualTo(i < 500 ? 3 : 2);
      }
    }
  }

  @Test
  void aCaptureWithoutSegmentsIsAClearError() throws Exception {
    Path capture = dir.resolve("empty.pcap");
    AgentBench.writeCapture(capture, 0);
    assertThatThrownBy(() -> ProducerCeiling.encode(capture.toString(), "obs"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no TCP segment");
  }
}
