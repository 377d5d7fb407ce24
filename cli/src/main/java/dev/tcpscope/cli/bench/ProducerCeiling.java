package dev.tcpscope.cli.bench;

import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentEncoder;
import dev.tcpscope.cli.command.KafkaOptions;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The yardstick of {@code bench agent}: one bare {@code KafkaProducer} with the agent's
 * producer settings (and, started by the bench, the agent's JVM options) sending the capture's
 * segments, encoded beforehand as the agent encodes them, with nothing else in its process: no
 * capture, no decoding, no ring. What it reaches is the most one agent's publishing could
 * reach against the same broker on the same cores.
 */
public final class ProducerCeiling {
  /** Segments encoded up front and sent over and over: the agent's ring holds as many. */
  static final int POOL = 65_536;

  private final byte[][] keys;
  private final byte[][] values;
  private final long[] timestampsMs;

  private ProducerCeiling(byte[][] keys, byte[][] values, long[] timestampsMs) {
    this.keys = keys;
    this.values = values;
    this.timestampsMs = timestampsMs;
  }

  /**
   * The first {@link #POOL} segments of {@code capture} (fewer if it holds fewer), keys and
   * values as the agent publishing it under {@code observer} would write them.
   */
  static ProducerCeiling encode(String capture, String observer) throws IOException {
    SegmentEncoder encoder = new SegmentEncoder(observer, capture);
    byte[][] keys = new byte[POOL][];
    byte[][] values = new byte[POOL][];
    long[] timestamps = new long[POOL];
    int[] n = {0};
    // The agent's own read-and-decode loop; it reads to the end (before any timing), past the pool.
    new CaptureFileReplay().replay(capture, segment -> {
      if (n[0] < POOL) {
        keys[n[0]] = encoder.key(segment);
        values[n[0]] = encoder.value(segment);
        timestamps[n[0]] = segment.tsUs / 1000;
        n[0]++;
      }
    });
    if (n[0] == 0) {
      throw new IllegalArgumentException(capture + " holds no TCP segment");
    }
    return new ProducerCeiling(Arrays.copyOf(keys, n[0]), Arrays.copyOf(values, n[0]),
        Arrays.copyOf(timestamps, n[0]));
  }

  int pooled() {
    return keys.length;
  }

  byte[] key(int i) {
    return keys[i];
  }

  byte[] value(int i) {
    return values[i];
  }

  /** What one run sent, what the broker acknowledged, from the first send to the flush. */
  record Run(long sent, long acknowledged, long failed, double seconds) {
    double perSecond() {
      return acknowledged / seconds;
    }
  }

  /** Sends {@code count} records, the pool in order and again, and waits for every answer. */
  Run send(Properties clientSettings, long count) {
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    // One callback for every record, as the agent's publisher has.
    Callback countAnswer = (metadata, exception) -> {
      if (exception == null) {
        acknowledged.incrementAndGet();
      } else {
        failed.incrementAndGet();
      }
    };
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaSegmentPublisher.producerSettings(clientSettings), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long start = System.nanoTime();
      for (long i = 0; i < count; i++) {
        int at = (int) (i % keys.length);
        producer.send(new ProducerRecord<>(TcpscopeTopics.SEGMENTS, null, timestampsMs[at],
            keys[at], values[at]), countAnswer);
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Run(count, acknowledged.get(), failed.get(), seconds);
    }
  }

  /**
   * {@code ProducerCeiling BOOTSTRAP CAPTURE COUNT OBSERVER}: the client settings come from
   * {@code TCPSCOPE_KAFKA_*} as the agent's do. Prints one {@code producer_*} line.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      System.err.println("usage: ProducerCeiling BOOTSTRAP CAPTURE COUNT OBSERVER");
      System.exit(2);
    }
    Properties client = new KafkaOptions().clientSettings(System.getenv());
    client.put("bootstrap.servers", args[0]);
    Run run = encode(args[1], args[3]).send(client, Long.parseLong(args[2]));
    System.out.printf(Locale.ROOT, "producer_sent=%d producer_acknowledged=%d"
        + " producer_failed=%d producer_seconds=%.3f%n", run.sent(), run.acknowledged(),
        run.failed(), run.seconds());
    System.exit(run.acknowledged() == run.sent() ? 0 : 1);
  }
}
