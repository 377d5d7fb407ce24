package dev.tcpscope.capture.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class PcapngFileReaderTest {
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
  private static final long T0_US = 1_700_000_000_123_456L;

  private final CapturedFrame frame = new CapturedFrame();

  private static final byte[] ETHERNET_FRAME = TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 80)
      .flags(TcpFlags.SYN).synOptions(1460, 1, 7).build();
  private static final byte[] RAW_PACKET =
      Arrays.copyOfRange(TcpFrameBuilder.tcp("2001:db8::1", 40000, "2001:db8::2", 80)
          .flags(TcpFlags.ACK).payloadLength(3).build(), 14, 14 + 40 + 20 + 3);

  private static byte[] frameBytes(CapturedFrame f) {
    return Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
  }

  private static CaptureFileReader open(byte[] bytes) throws IOException {
    CaptureFileReader reader = CaptureFiles.open(new ByteArrayInputStream(bytes));
    assertThat(reader).isInstanceOf(PcapngFileReader.class);
    return reader;
  }

  /**
   * A section with interface 0 (Ethernet, default microseconds) and interface 1 (RAW,
   * if_tsresol 9: nanoseconds), an EPB on each, a name-resolution block between them, and a
   * Simple Packet Block (interface 0, no timestamp).
   */
  private static byte[] twoInterfaceSection(ByteOrder order) {
    PcapngBuilder b = new PcapngBuilder(order).sectionHeader(order);
    b.interfaceDescription(LinkType.ETHERNET, 0, b.ifName("eth0"));
    b.interfaceDescription(LinkType.RAW, 65535, b.ifName("tun0"), b.ifTsresol(9));
    b.enhancedPacket(0, T0_US, ETHERNET_FRAME, ETHERNET_FRAME.length);
    b.block(PcapngBuilder.NAME_RESOLUTION, new byte[] {0, 0, 0, 0});
    b.enhancedPacket(1, T0_US * 1000 + 789, RAW_PACKET, 1500);
    b.block(PcapngBuilder.INTERFACE_STATISTICS, new byte[12]);
    b.simplePacket(ETHERNET_FRAME, ETHERNET_FRAME.length);
    return b.bytes();
  }

  @ParameterizedTest(name = "{0} section")
  @EnumSource(Order.class)
  void interfacesGiveEachPacketItsLinkTypeAndTimestampResolution(Order order) throws IOException {
    try (CaptureFileReader reader = open(twoInterfaceSection(order.value))) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.ETHERNET);
      assertThat(frame.tsUs).isEqualTo(T0_US);
      assertThat(frame.capturedLength).isEqualTo(ETHERNET_FRAME.length);
      assertThat(frame.wireLength).isEqualTo(ETHERNET_FRAME.length);
      assertThat(frameBytes(frame)).isEqualTo(ETHERNET_FRAME);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.RAW);
      assertThat(frame.tsUs).isEqualTo(T0_US); // 789 ns dropped
      assertThat(frame.capturedLength).isEqualTo(RAW_PACKET.length);
      assertThat(frame.wireLength).isEqualTo(1500);
      assertThat(frameBytes(frame)).isEqualTo(RAW_PACKET);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.ETHERNET);
      assertThat(frame.tsUs).isZero(); // a Simple Packet Block has no timestamp
      assertThat(frameBytes(frame)).isEqualTo(ETHERNET_FRAME);

      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  enum Order {
    LITTLE_ENDIAN(LE), BIG_ENDIAN(BE);

    final ByteOrder value;

    Order(ByteOrder value) {
      this.value = value;
    }
  }

  @Test
  void framesFromAPcapngDecodeToSegments() throws IOException {
    FrameDecoder decoder = new FrameDecoder();
    DecodedSegment segment = new DecodedSegment();
    int segments = 0;
    try (CaptureFileReader reader = open(twoInterfaceSection(LE))) {
      while (reader.next(frame)) {
        DecodeResult result = decoder.decode(frame.linkType, frame.data, frame.offset,
            frame.capturedLength, frame.wireLength, frame.tsUs, segment);
        assertThat(result).isEqualTo(DecodeResult.SEGMENT);
        assertThat(segment.srcPort).isEqualTo(40000);
        segments++;
      }
    }
    assertThat(segments).isEqualTo(3);
  }

  @Test
  void aSecondSectionInTheOtherByteOrderStartsItsOwnInterfaces() throws IOException {
    PcapngBuilder b = new PcapngBuilder(LE).sectionHeader(LE);
    b.interfaceDescription(LinkType.ETHERNET, 0);
    b.interfaceDescription(LinkType.RAW, 0);
    b.enhancedPacket(1, 5, RAW_PACKET, RAW_PACKET.length);
    b.sectionHeader(BE);
    b.interfaceDescription(LinkType.LINUX_SLL, 0, b.ifTsresol(3)); // milliseconds
    b.enhancedPacket(1, 6, RAW_PACKET, RAW_PACKET.length); // interface 1 of the old section
    b.enhancedPacket(0, 1_700_000_000_123L, ETHERNET_FRAME, ETHERNET_FRAME.length);

    try (CaptureFileReader reader = open(b.bytes())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.RAW);
      assertThat(frame.tsUs).isEqualTo(5);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.LINUX_SLL);
      assertThat(frame.tsUs).isEqualTo(1_700_000_000_123_000L);
      assertThat(frameBytes(frame)).isEqualTo(ETHERNET_FRAME);

      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void binaryTimestampResolution() throws IOException {
    PcapngBuilder b = new PcapngBuilder(LE).sectionHeader();
    b.interfaceDescription(LinkType.ETHERNET, 0, b.ifTsresol(0x80 | 20)); // 2^-20 s
    b.enhancedPacket(0, (3L << 20) + (1L << 19), ETHERNET_FRAME, ETHERNET_FRAME.length);

    try (CaptureFileReader reader = open(b.bytes())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(3_500_000L);
    }
  }

  @Test
  void obsoletePacketBlockIsRead() throws IOException {
    PcapngBuilder b = new PcapngBuilder(BE).sectionHeader();
    b.interfaceDescription(LinkType.ETHERNET, 0);
    b.obsoletePacket(0, T0_US, ETHERNET_FRAME, 2000);

    try (CaptureFileReader reader = open(b.bytes())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(T0_US);
      assertThat(frame.wireLength).isEqualTo(2000);
      assertThat(frameBytes(frame)).isEqualTo(ETHERNET_FRAME);
    }
  }

  @Test
  void simplePacketIsCutToInterfaceZerosSnapLength() throws IOException {
    PcapngBuilder b = new PcapngBuilder(LE).sectionHeader();
    b.interfaceDescription(LinkType.ETHERNET, 64);
    b.simplePacket(ETHERNET_FRAME, ETHERNET_FRAME.length);

    try (CaptureFileReader reader = open(b.bytes())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.capturedLength).isEqualTo(64);
      assertThat(frame.wireLength).isEqualTo(ETHERNET_FRAME.length);
      assertThat(frameBytes(frame)).isEqualTo(Arrays.copyOf(ETHERNET_FRAME, 64));
    }
  }

  @Test
  void packetsOfUndeclaredInterfacesOrOverrunningTheirBlockAreSkipped() throws IOException {
    PcapngBuilder b = new PcapngBuilder(LE).sectionHeader();
    b.simplePacket(ETHERNET_FRAME, ETHERNET_FRAME.length); // before any interface
    b.interfaceDescription(LinkType.ETHERNET, 0);
    b.enhancedPacket(7, 1, ETHERNET_FRAME, ETHERNET_FRAME.length);
    b.enhancedPacket(0, 2, ETHERNET_FRAME, ETHERNET_FRAME.length + 100, ETHERNET_FRAME.length);
    b.enhancedPacket(0, 3, ETHERNET_FRAME, -5, ETHERNET_FRAME.length);
    b.enhancedPacket(0, 4, ETHERNET_FRAME, ETHERNET_FRAME.length);

    try (CaptureFileReader reader = open(b.bytes())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(4);
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void blockWithImpossibleLengthIsDamageAfterTheEarlierPackets() throws IOException {
    for (int length : new int[] {8, 13, -4, (64 << 20) + 4}) {
      PcapngBuilder b = new PcapngBuilder(LE).sectionHeader();
      b.interfaceDescription(LinkType.ETHERNET, 0);
      b.enhancedPacket(0, 1, ETHERNET_FRAME, ETHERNET_FRAME.length);
      b.raw(ByteBuffer.allocate(32).order(LE).putInt(PcapngBuilder.ENHANCED_PACKET).putInt(length).array());
      b.enhancedPacket(0, 2, ETHERNET_FRAME, ETHERNET_FRAME.length);

      try (CaptureFileReader reader = open(b.bytes())) {
        assertThat(reader.next(frame)).isTrue();
        assertThat(frame.tsUs).isEqualTo(1);
        assertThat(reader.next(frame)).as("block length %d", length).isFalse();
        assertThat(reader.damage()).contains("impossible length");
        assertThat(reader.next(frame)).isFalse();
      }
    }
  }

  @Test
  void truncatedLastBlockIsDamage() throws IOException {
    PcapngBuilder b = new PcapngBuilder(BE).sectionHeader();
    b.interfaceDescription(LinkType.ETHERNET, 0);
    b.enhancedPacket(0, 1, ETHERNET_FRAME, ETHERNET_FRAME.length);
    b.enhancedPacket(0, 2, ETHERNET_FRAME, ETHERNET_FRAME.length);
    byte[] cut = Arrays.copyOf(b.bytes(), b.bytes().length - 7);

    try (CaptureFileReader reader = open(cut)) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).contains("truncated");
    }
  }

  @Test
  void sectionHeaderWithUnknownByteOrderMagicIsDamage() throws IOException {
    byte[] file = new PcapngBuilder(LE).sectionHeader().bytes();
    file[8] = 0x11; // the byte-order magic

    try (CaptureFileReader reader = open(file)) {
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).contains("byte-order magic");
    }
  }
}
