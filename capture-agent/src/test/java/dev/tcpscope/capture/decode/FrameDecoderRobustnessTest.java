package dev.tcpscope.capture.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property: for any bytes, offset and length, decode returns a result and never throws; and a
 * SEGMENT never points outside the captured bytes. Inputs are valid frames of every link type,
 * mutated by a fixed-seed generator so a failure reproduces.
 */
class FrameDecoderRobustnessTest {
  private static final long SEED = 0x7c95c09eL;
  private static final int ITERATIONS = 20_000;
  /** Mutations land in the headers, where the decoder looks; flips in payload prove nothing. */
  private static final int HEADER_BYTES = 120;

  private record Sample(String name, int linkType, byte[] frame) {}

  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment segment = new DecodedSegment();

  @Test
  @Timeout(10)
  void randomByteFlipsInEveryLinkTypeNeverThrow() {
    List<Sample> samples = validFrames();
    Random random = new Random(SEED);
    int segments = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      Sample sample = samples.get(random.nextInt(samples.size()));
      byte[] frame = sample.frame().clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        frame[random.nextInt(Math.min(frame.length, HEADER_BYTES))] = (byte) random.nextInt(256);
      }
      int captured = random.nextBoolean() ? frame.length : random.nextInt(frame.length + 1);
      if (checkedDecode(sample, frame, 0, captured) == DecodeResult.SEGMENT) {
        segments++;
      }
    }
    // The property is only worth something if mutated frames still reach the TCP decoder.
    assertThat(segments).isGreaterThan(ITERATIONS / 10);
  }

  @Test
  void truncationAtEveryLengthOfEveryLinkTypeNeverThrows() {
    for (Sample sample : validFrames()) {
      for (int captured = 0; captured <= sample.frame().length; captured++) {
        checkedDecode(sample, sample.frame(), 0, captured);
      }
    }
  }

  @Test
  void arbitraryOffsetsAndLengthsNeverThrow() {
    Random random = new Random(SEED + 1);
    int[] awkward = {Integer.MIN_VALUE, -1, 0, 1, 13, 14, 1 << 16, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
    for (Sample sample : validFrames()) {
      byte[] frame = sample.frame();
      for (int offset : awkward) {
        for (int length : awkward) {
          checkedDecode(sample, frame, offset, length);
        }
      }
      for (int i = 0; i < 200; i++) {
        checkedDecode(sample, frame, random.nextInt(frame.length + 2) - 1, random.nextInt(frame.length + 2) - 1);
      }
    }
  }

  private DecodeResult checkedDecode(Sample sample, byte[] frame, int offset, int captured) {
    DecodeResult result;
    try {
      result = decoder.decode(sample.linkType(), frame, offset, captured, frame.length, 0, segment);
    } catch (RuntimeException e) {
      throw new AssertionError(describe(sample, frame, offset, captured) + " threw " + e, e);
    }
    if (result == null) {
      fail("null result for " + describe(sample, frame, offset, captured));
    }
    if (result == DecodeResult.SEGMENT) {
      assertSegmentLiesInsideTheCapture(sample, frame, offset, captured);
    }
    return result;
  }

  private void assertSegmentLiesInsideTheCapture(Sample sample, byte[] frame, int offset, int captured) {
    int end = offset + captured;
    String where = describe(sample, frame, offset, captured);
    assertThat(segment.ipVersion).as(where).isIn(4, 6);
    assertThat(segment.srcPort).as(where).isBetween(0, 65535);
    assertThat(segment.dstPort).as(where).isBetween(0, 65535);
    assertThat(segment.seq).as(where).isBetween(0L, 0xffffffffL);
    assertThat(segment.ack).as(where).isBetween(0L, 0xffffffffL);
    assertThat(segment.flags).as(where).isBetween(0, 0x1ff);
    assertThat(segment.optionsOffset).as(where).isGreaterThanOrEqualTo(offset);
    assertThat(segment.optionsLength).as(where).isBetween(0, 40);
    assertThat(segment.optionsOffset + segment.optionsLength).as(where).isLessThanOrEqualTo(end);
    assertThat(segment.payloadLength).as(where).isNotNegative();
    assertThat(segment.capturedPayload).as(where).isBetween(0, segment.payloadLength);
    assertThat(segment.payloadOffset + segment.capturedPayload).as(where).isLessThanOrEqualTo(end);
  }

  private static String describe(Sample sample, byte[] frame, int offset, int captured) {
    return sample.name() + " offset=" + offset + " captured=" + captured + " bytes="
        + HexFormat.of().formatHex(frame, 0, Math.min(frame.length, HEADER_BYTES));
  }

  /** IPv4 and IPv6 segments, plain and with header extras, under every link type read. */
  private static List<Sample> validFrames() {
    List<byte[]> ethernet = new ArrayList<>();
    ethernet.add(TcpFrameBuilder.tcp("10.1.2.3", 51000, "10.9.8.7", 80)
        .flags(TcpFlags.SYN).synOptions(1460, 99, 7).build());
    ethernet.add(TcpFrameBuilder.tcp("10.1.2.3", 51000, "10.9.8.7", 80)
        .flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(40).firstFragment().build());
    ethernet.add(TcpFrameBuilder.tcp("2001:db8::1", 51000, "2001:db8::2", 80)
        .flags(TcpFlags.ACK).payloadLength(40).build());
    byte[] withHopByHop = Frames.insert(
        TcpFrameBuilder.tcp("2001:db8::1", 51000, "2001:db8::2", 80).payloadLength(8).build(),
        54, new byte[] {44, 0, 1, 4, 0, 0, 0, 0, 6, 0, 0, 1, 0, 0, 0, 9}); // then a fragment header
    withHopByHop[20] = 0;
    Frames.put16(withHopByHop, 18, Frames.u16(withHopByHop, 18) + 16);
    ethernet.add(withHopByHop);

    List<Sample> samples = new ArrayList<>();
    for (byte[] frame : ethernet) {
      String ip = frame[12] == 0x08 ? "IPv4" : "IPv6";
      samples.add(new Sample("Ethernet " + ip, LinkType.ETHERNET, frame));
      samples.add(new Sample("QinQ " + ip, LinkType.ETHERNET, Frames.withQinQTags(frame, 1, 2)));
      samples.add(new Sample("SLL " + ip, LinkType.LINUX_SLL, Frames.linuxSll(frame)));
      samples.add(new Sample("SLL2 " + ip, LinkType.LINUX_SLL2, Frames.linuxSll2(frame)));
      samples.add(new Sample("RAW " + ip, LinkType.RAW, Frames.ipPacket(frame)));
      samples.add(new Sample("NULL " + ip, LinkType.NULL, Frames.bsdNull(frame, 2)));
      samples.add(new Sample("LOOP " + ip, LinkType.LOOP, Frames.bsdLoop(frame, 2)));
      int bare = ip.equals("IPv4") ? LinkType.IPV4 : LinkType.IPV6;
      samples.add(new Sample("LINKTYPE_" + ip, bare, Frames.ipPacket(frame)));
    }
    return samples;
  }
}
