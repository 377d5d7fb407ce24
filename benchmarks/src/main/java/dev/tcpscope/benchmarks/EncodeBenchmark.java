package dev.tcpscope.benchmarks;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.capture.publish.SegmentEncoder;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One segment's Kafka key and value: the publisher's direct encoding against Avro's generated
 * builders and single-object encoder (what it replaced), segments per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class EncodeBenchmark {
  private final DecodedSegment segment = new DecodedSegment();
  private final SegmentEncoder encoder = new SegmentEncoder("host-a", "eth0");
  private final SegmentRecords records = new SegmentRecords("host-a", "eth0");
  private final SingleObjectSerde<TcpSegment> values = TcpscopeSerdes.tcpSegment();
  private final SingleObjectSerde<ConnectionKey> keys = TcpscopeSerdes.connectionKey();

  @Setup
  public void decode() {
    byte[] frame = TcpFrameBuilder.tcp("10.0.0.2", 443, "10.0.0.1", 40000)
        .flags(TcpFlags.ACK | TcpFlags.PSH)
        .options(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}).payloadLength(1200).build();
    new FrameDecoder().decode(LinkType.ETHERNET, frame, 0, frame.length, frame.length,
        1_700_000_000_000_000L, segment);
  }

  @Benchmark
  public void direct(Blackhole out) {
    out.consume(encoder.key(segment));
    out.consume(encoder.value(segment));
  }

  @Benchmark
  public void avro(Blackhole out) {
    out.consume(keys.encode(records.key(segment)));
    out.consume(values.encode(records.value(segment)));
  }
}
