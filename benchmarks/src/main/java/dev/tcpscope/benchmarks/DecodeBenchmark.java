package dev.tcpscope.benchmarks;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.pcap.CapturedFrame;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding on one core, in packets per second (the score is operations = packets): a mix of
 * what a host sees (IPv4 handshakes with options, data and ACKs, IPv6, an 802.1Q tag, VXLAN),
 * decoded from memory; and the same mix read from an in-memory pcap stream and decoded, which
 * is the agent's whole per-packet path before Kafka.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class DecodeBenchmark {
  private static final int FRAMES = 1024;
  /** Frames in the pcap stream: enough that opening it (a 1 MiB read buffer) is amortised. */
  private static final int PCAP_FRAMES = 32 * FRAMES;

  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment segment = new DecodedSegment();
  private final CapturedFrame captured = new CapturedFrame();
  private byte[][] frames;
  private byte[] pcap;

  @Setup
  public void build() throws IOException {
    byte[][] kinds = {
        TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 443).flags(TcpFlags.SYN)
            .synOptions(1460, 1, 7).build(),
        TcpFrameBuilder.tcp("10.0.0.2", 443, "10.0.0.1", 40000)
            .flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(1200).build(),
        TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 443).flags(TcpFlags.ACK)
            .options(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}).build(),
        TcpFrameBuilder.tcp("2001:db8::1", 40000, "2001:db8::2", 443)
            .flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(200).build(),
        vlanTagged(TcpFrameBuilder.tcp("10.0.0.3", 5000, "10.0.0.4", 80)
            .flags(TcpFlags.ACK).payloadLength(100).build()),
        vxlan(TcpFrameBuilder.tcp("10.244.1.5", 36000, "10.244.2.7", 8080)
            .flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(300).build()),
    };
    // Mostly plain IPv4 data and ACKs, as on a busy host; the rest spread through.
    int[] weights = {1, 5, 5, 2, 1, 1};
    frames = new byte[FRAMES][];
    int at = 0;
    while (at < FRAMES) {
      for (int k = 0; k < kinds.length && at < FRAMES; k++) {
        for (int w = 0; w < weights[k] && at < FRAMES; w++) {
          frames[at++] = kinds[k];
        }
      }
    }
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapFileWriter writer = new PcapFileWriter(file, LinkType.ETHERNET)) {
      for (int i = 0; i < PCAP_FRAMES; i++) {
        byte[] f = frames[i % FRAMES];
        writer.write(1_700_000_000_000_000L + i, f, Math.min(96, f.length), f.length);
      }
    }
    pcap = file.toByteArray();
  }

  @Benchmark
  @OperationsPerInvocation(FRAMES)
  public int decode() {
    int segments = 0;
    for (byte[] f : frames) {
      if (decoder.decode(LinkType.ETHERNET, f, 0, Math.min(96, f.length), f.length, 1L, segment)
          == DecodeResult.SEGMENT) {
        segments++;
      }
    }
    return segments;
  }

  @Benchmark
  @OperationsPerInvocation(PCAP_FRAMES)
  public int readAndDecodePcap() throws IOException {
    int segments = 0;
    try (CaptureFileReader reader = CaptureFiles.open(new ByteArrayInputStream(pcap))) {
      while (reader.next(captured)) {
        if (decoder.decode(captured.linkType, captured.data, captured.offset,
            captured.capturedLength, captured.wireLength, captured.tsUs, segment)
            == DecodeResult.SEGMENT) {
          segments++;
        }
      }
    }
    return segments;
  }

  private static byte[] vlanTagged(byte[] ethernet) {
    byte[] out = new byte[ethernet.length + 4];
    System.arraycopy(ethernet, 0, out, 0, 12);
    out[12] = (byte) 0x81;
    out[15] = 100;
    System.arraycopy(ethernet, 12, out, 16, ethernet.length - 12);
    return out;
  }

  /** Outer Ethernet/IPv4/UDP to port 4789, the VXLAN header, then the inner frame. */
  private static byte[] vxlan(byte[] inner) {
    byte[] out = new byte[50 + inner.length];
    out[12] = 0x08;
    out[14] = 0x45;
    int ipLength = 36 + inner.length;
    out[16] = (byte) (ipLength >> 8);
    out[17] = (byte) ipLength;
    out[22] = 64;
    out[23] = 17;
    byte[] hosts = {10, 0, 0, 1, 10, 0, 0, 2};
    System.arraycopy(hosts, 0, out, 26, 8);
    out[36] = 0x12; // destination port 4789
    out[37] = (byte) 0xb5;
    int udpLength = 16 + inner.length;
    out[38] = (byte) (udpLength >> 8);
    out[39] = (byte) udpLength;
    out[42] = 0x08; // VXLAN I flag
    System.arraycopy(inner, 0, out, 50, inner.length);
    return Arrays.copyOf(out, out.length);
  }
}
