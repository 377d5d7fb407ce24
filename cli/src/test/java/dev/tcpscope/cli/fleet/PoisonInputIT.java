package dev.tcpscope.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentEncoder;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, item 4, on a real broker through {@code bin/tcpscope processor}: records that are
 * not TcpSegments, mixed into the segment topic between the segments of real captures, each
 * go to the dead-letter topic unchanged with the reason in its header; the processor goes on,
 * and the anomalies of the real traffic are exactly the engine's verdicts on it.
 * ({@code SessionTopologyTest} checks the same rule in the topology test driver.)
 */
class PoisonInputIT {
  private static final Pattern HTTP = Pattern.compile("tcpscope processor: http://([^/]+)/metrics");
  // The poison goes into the first: fragmented, retransmitting; then a clean bulk transfer
  // (nothing may appear in it) and aborted and refused connections.
  private static final String[] CAPTURES = {"fragment.pcap", "loss-bulk.pcap", "rst-server.pcap",
      "refused.pcap"};

  /** A heartbeat's name and namespace but a schema of its own: another fingerprint. */
  private static final Schema FOREIGN_HEARTBEAT = new Schema.Parser().parse("""
      {"type": "record", "name": "AgentHeartbeat", "namespace": "dev.tcpscope.schemas.v1",
       "fields": [{"name": "observer", "type": "string"},
                  {"name": "capture_clock_us", "type": "long"},
                  {"name": "build", "type": "string"}]}""");

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void poisonGoesToTheDeadLetterTopicWithItsReasonAndTheRealTrafficIsJudgedAsIfItWasNotThere()
      throws Exception {
    Path corpus = Path.of(System.getProperty("tcpscope.corpus", "../../shared/corpus"), "real");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "the shared capture corpus is not at "
        + corpus.toAbsolutePath() + ": check out ../shared beside the project (CI has it)");
    try (FleetBroker fleet = FleetBroker.start("poison")) {
      String app = "poison";
      try (ProcessorProcess processor = ProcessorProcess.start(fleet.work, "poison",
          fleet.args(app, fleet.work.resolve("state"), "--http-port", "0"))) {
        Map<String, List<SuspiciousSession>> expected = new LinkedHashMap<>();
        List<byte[]> poison = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
            KafkaSegmentPublisher.producerSettings(fleet.client), new ByteArraySerializer(),
            new ByteArraySerializer())) {
          for (String capture : CAPTURES) {
            String observer = "poison-" + capture.replace(".pcap", "");
            List<DecodedSegment> segments = FleetBroker.segmentsOf(corpus.resolve(capture));
            expected.put(observer, FleetBroker.expected(observer, capture, segments));
            publishWithPoison(fleet.client, raw, observer, capture, segments,
                capture.equals(CAPTURES[0]), poison);
          }
        }
        assertThat(expected.get("poison-fragment")).as("the real retransmission").isNotEmpty();
        fleet.awaitProcessed(TcpscopeTopics.SEGMENTS, app, Duration.ofSeconds(120), processor);
        assertThat(processor.alive()).as(processor.log()).isTrue();

        List<ConsumerRecord<byte[], byte[]>> dead = fleet.readCommitted(TcpscopeTopics.DEAD_LETTER);
        assertThat(dead).hasSize(poison.size());
        // Partitions interleave on reading: match each letter to what was sent by its bytes.
        List<byte[]> unmatched = new ArrayList<>(poison);
        for (ConsumerRecord<byte[], byte[]> letter : dead) {
          int match = 0;
          while (match < unmatched.size() && !Arrays.equals(unmatched.get(match), letter.value())) {
            match++;
          }
          assertThat(match).as("a dead letter that was not sent as poison (changed on the way?):"
              + " %s", Arrays.toString(letter.value())).isLessThan(unmatched.size());
          byte[] sent = unmatched.remove(match);
          Header reason = letter.headers().lastHeader(TcpscopeTopics.DEAD_LETTER_REASON_HEADER);
          assertThat(reason).as("dead letter %s has a reason", Arrays.toString(sent)).isNotNull();
          String why = new String(reason.value(), StandardCharsets.UTF_8);
          assertThat(why).as("the reason of %s", Arrays.toString(sent)).contains(
              sent == null ? "without a key or value" : "not a single-object-encoded TcpSegment");
        }

        SingleObjectSerde<SuspiciousSession> serde = TcpscopeSerdes.suspiciousSession();
        Map<String, List<SuspiciousSession>> actual = new LinkedHashMap<>();
        expected.keySet().forEach(o -> actual.put(o, new ArrayList<>()));
        for (ConsumerRecord<byte[], byte[]> r :
            fleet.readCommitted(TcpscopeTopics.SUSPICIOUS_SESSIONS)) {
          SuspiciousSession s = serde.decode(r.value());
          actual.computeIfAbsent(s.getObserver(), o -> new ArrayList<>()).add(s);
        }
        for (String observer : expected.keySet()) {
          assertThat(actual.get(observer)).as(observer)
              .containsExactlyInAnyOrderElementsOf(expected.get(observer));
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());

        Matcher m = HTTP.matcher(processor.log());
        assertThat(m.find()).as(processor.log()).isTrue();
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + m.group(1) + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("tcpscope_processor_dead_letters_total "
            + (double) poison.size());
      }
    }
  }

  /**
   * Publishes the capture as an agent does; with {@code poisoned}, a third of the way in,
   * halfway and two thirds of the way in, poison on the partition of the segment there, each
   * flushed in order between the agent's segments.
   */
  private static void publishWithPoison(Properties client, KafkaProducer<byte[], byte[]> raw,
      String observer, String capture, List<DecodedSegment> segments, boolean poisoned,
      List<byte[]> poison) throws Exception {
    SegmentEncoder encoder = new SegmentEncoder(observer, capture);
    Random random = new Random(7);
    try (KafkaSegmentPublisher publisher = new KafkaSegmentPublisher(client,
        TcpscopeTopics.SEGMENTS, new SegmentRecords(observer, capture))) {
      int n = segments.size();
      for (int i = 0; i < n; i++) {
        DecodedSegment d = segments.get(i);
        List<byte[]> here = new ArrayList<>();
        if (poisoned && i == n / 3) {
          byte[] bytes = new byte[64];
          random.nextBytes(bytes);
          here.add(bytes); // random bytes
          here.add(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3}); // a header cut short
        }
        if (poisoned && i == n / 2) {
          GenericRecord heartbeat = new GenericData.Record(FOREIGN_HEARTBEAT);
          heartbeat.put("observer", observer);
          heartbeat.put("capture_clock_us", d.tsUs);
          heartbeat.put("build", "other");
          here.add(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), FOREIGN_HEARTBEAT)
              .encode(heartbeat).array());
          here.add(TcpscopeSerdes.suspiciousSession().encode(FleetBroker.expected(observer,
              capture, segments).get(0)));
        }
        if (poisoned && i == 2 * n / 3) {
          byte[] whole = encoder.value(d);
          here.add(Arrays.copyOf(whole, whole.length - 6)); // a TcpSegment cut short
          here.add(null); // no value at all
        }
        if (!here.isEmpty()) {
          publisher.flush(Duration.ofSeconds(30));
          byte[] key = encoder.key(d);
          for (byte[] value : here) {
            raw.send(new ProducerRecord<>(TcpscopeTopics.SEGMENTS, null, d.tsUs / 1000, key,
                value)).get(30, TimeUnit.SECONDS);
          }
          poison.addAll(here);
        }
        publisher.publish(d);
      }
      FleetBroker.endOfCapture(publisher, observer, capture, segments);
    }
  }
}
