package dev.tcpscope.capture.decode;

import static dev.tcpscope.capture.decode.Frames.insert;
import static dev.tcpscope.capture.decode.Frames.put16;
import static dev.tcpscope.capture.decode.Frames.u16;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
  private static final long TS_US = 1_700_000_000_123_456L;
  /** Where the IP header starts in a frame from TcpFrameBuilder, and where TCP starts. */
  private static final int IP = 14;
  private static final int IPV4_TCP = IP + 20;
  private static final int IPV6_TCP = IP + 40;

  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment segment = new DecodedSegment();

  private DecodeResult decode(int linkType, byte[] frame) {
    return decoder.decode(linkType, frame, 0, frame.length, frame.length, TS_US, segment);
  }

  private DecodeResult decodeCaptured(byte[] frame, int captured) {
    return decoder.decode(LinkType.ETHERNET, frame, 0, captured, frame.length, TS_US, segment);
  }

  private static byte[] ip(String literal) throws Exception {
    return InetAddress.getByName(literal).getAddress();
  }

  private static TcpFrameBuilder ipv4Data() {
    return TcpFrameBuilder.tcp("10.0.0.1", 40000, "192.168.1.2", 443)
        .seq(1000).ack(2000).flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(100);
  }

  private static TcpFrameBuilder ipv6Data() {
    return TcpFrameBuilder.tcp("2001:db8::1", 40000, "2001:db8::2", 443)
        .seq(1000).ack(2000).flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(100);
  }

  @Nested
  class HeaderFields {

    @Test
    void ipv4SynAckWithOptionsYieldsEveryHeaderField() throws Exception {
      byte[] payload = {'h', 'e', 'l', 'l', 'o'};
      byte[] frame = TcpFrameBuilder.tcp("10.0.0.1", 40000, "192.168.1.200", 443)
          .seq(0xfffffff0L) // above 2^31: must stay unsigned
          .ack(0x80000001L)
          .flags(TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE)
          .window(29200)
          .synOptions(1460, 123456, 7)
          .payload(payload)
          .build();

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.ipVersion).isEqualTo(4);
      assertThat(segment.addressLength()).isEqualTo(4);
      assertThat(segment.srcAddress()).isEqualTo(ip("10.0.0.1"));
      assertThat(segment.dstAddress()).isEqualTo(ip("192.168.1.200"));
      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.dstPort).isEqualTo(443);
      assertThat(segment.seq).isEqualTo(0xfffffff0L);
      assertThat(segment.ack).isEqualTo(0x80000001L);
      assertThat(segment.flags).isEqualTo(TcpFlags.SYN | TcpFlags.ACK | TcpFlags.ECE);
      assertThat(segment.window).isEqualTo(29200);
      assertThat(segment.optionsOffset).isEqualTo(IPV4_TCP + 20);
      assertThat(segment.optionsLength).isEqualTo(20);
      assertThat(segment.options()).startsWith(2, 4, 0x05, (byte) 0xb4); // MSS 1460
      assertThat(segment.payloadOffset).isEqualTo(IPV4_TCP + 40);
      assertThat(segment.payloadLength).isEqualTo(5);
      assertThat(segment.capturedPayload).isEqualTo(5);
      assertThat(Arrays.copyOfRange(frame, segment.payloadOffset, segment.payloadOffset + 5))
          .isEqualTo(payload);
      assertThat(segment.frameLength).isEqualTo(frame.length).isEqualTo(14 + 20 + 40 + 5);
      assertThat(segment.tsUs).isEqualTo(TS_US);
      assertThat(segment.fragmented).isFalse();
      assertThat(segment.frame).isSameAs(frame);
    }

    @Test
    void ipv6SegmentYieldsSixteenByteAddressesAndFields() throws Exception {
      byte[] frame = TcpFrameBuilder.tcp("2001:db8::1", 65535, "fe80::abcd", 22)
          .seq(7).ack(0xffffffffL).flags(TcpFlags.FIN | TcpFlags.ACK).window(0)
          .options(new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})
          .payloadLength(1200)
          .build();

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.ipVersion).isEqualTo(6);
      assertThat(segment.addressLength()).isEqualTo(16);
      assertThat(segment.srcAddress()).isEqualTo(ip("2001:db8::1"));
      assertThat(segment.dstAddress()).isEqualTo(ip("fe80::abcd"));
      assertThat(segment.srcPort).isEqualTo(65535);
      assertThat(segment.dstPort).isEqualTo(22);
      assertThat(segment.seq).isEqualTo(7);
      assertThat(segment.ack).isEqualTo(0xffffffffL);
      assertThat(segment.flags).isEqualTo(TcpFlags.FIN | TcpFlags.ACK);
      assertThat(segment.window).isZero();
      assertThat(segment.optionsOffset).isEqualTo(IPV6_TCP + 20);
      assertThat(segment.optionsLength).isEqualTo(12);
      assertThat(segment.options()).containsExactly(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2);
      assertThat(segment.payloadOffset).isEqualTo(IPV6_TCP + 32);
      assertThat(segment.payloadLength).isEqualTo(1200);
      assertThat(segment.capturedPayload).isEqualTo(1200);
      assertThat(segment.frameLength).isEqualTo(14 + 40 + 32 + 1200);
    }

    @Test
    void nsFlagFromTheDataOffsetByteLandsInBitEight() {
      byte[] frame = ipv4Data().flags(TcpFlags.NS | TcpFlags.CWR | TcpFlags.ACK).build();

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.flags).isEqualTo(TcpFlags.NS | TcpFlags.CWR | TcpFlags.ACK);
    }

    @Test
    void frameLengthIsTheWireLengthNotTheCapturedLength() {
      byte[] frame = ipv4Data().build();

      decoder.decode(LinkType.ETHERNET, frame, 0, frame.length, 9000, TS_US, segment);

      assertThat(segment.frameLength).isEqualTo(9000);
    }

    @Test
    void frameAtAnOffsetInsideALargerBufferDecodesRelativeToThatOffset() {
      byte[] frame = ipv4Data().build();
      byte[] buffer = new byte[frame.length + 50];
      Arrays.fill(buffer, (byte) 0xee);
      System.arraycopy(frame, 0, buffer, 17, frame.length);

      DecodeResult result =
          decoder.decode(LinkType.ETHERNET, buffer, 17, frame.length, frame.length, TS_US, segment);

      assertThat(result).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.payloadOffset).isEqualTo(17 + IPV4_TCP + 20);
      assertThat(segment.payloadLength).isEqualTo(100);
      assertThat(segment.capturedPayload).isEqualTo(100);
    }

    @Test
    void ethernetPaddingAfterAShortIpv4PacketIsNotPayload() {
      byte[] bare = ipv4Data().payloadLength(0).flags(TcpFlags.ACK).build(); // 54 bytes
      byte[] padded = Arrays.copyOf(bare, 60); // the minimum Ethernet frame

      assertThat(decode(LinkType.ETHERNET, padded)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.payloadLength).isZero();
      assertThat(segment.capturedPayload).isZero();
    }

    @Test
    void reusedSegmentIsOverwrittenByTheNextFrame() {
      decode(LinkType.ETHERNET, ipv4Data().firstFragment().build());
      assertThat(segment.fragmented).isTrue();

      decode(LinkType.ETHERNET, ipv6Data().seq(5).build());

      assertThat(segment.ipVersion).isEqualTo(6);
      assertThat(segment.seq).isEqualTo(5);
      assertThat(segment.fragmented).isFalse();
    }
  }

  @Nested
  class LinkLayers {

    static Stream<Arguments> wrappedFrames() {
      return Stream.of(
          Arguments.of("Ethernet", LinkType.ETHERNET, UnaryOperator.<byte[]>identity(), 14),
          Arguments.of("802.1Q", LinkType.ETHERNET, wrap(f -> Frames.withVlanTag(f, 100)), 18),
          Arguments.of("QinQ", LinkType.ETHERNET, wrap(f -> Frames.withQinQTags(f, 10, 20)), 22),
          Arguments.of("old QinQ 0x9100", LinkType.ETHERNET,
              wrap(f -> insert(f, 12, Frames.tag(0x9100, 7))), 18),
          Arguments.of("Linux SLL", LinkType.LINUX_SLL, wrap(Frames::linuxSll), 16),
          Arguments.of("Linux SLL2", LinkType.LINUX_SLL2, wrap(Frames::linuxSll2), 20),
          Arguments.of("RAW", LinkType.RAW, wrap(Frames::ipPacket), 0),
          Arguments.of("RAW as DLT 12", LinkType.RAW_12, wrap(Frames::ipPacket), 0),
          Arguments.of("RAW as DLT 14", LinkType.RAW_14, wrap(Frames::ipPacket), 0),
          Arguments.of("BSD NULL", LinkType.NULL, wrap(f -> Frames.bsdNull(f, 2)), 4),
          Arguments.of("BSD LOOP", LinkType.LOOP, wrap(f -> Frames.bsdLoop(f, 2)), 4),
          Arguments.of("802.3 LLC/SNAP", LinkType.ETHERNET, wrap(Frames::ieee8023), 22),
          Arguments.of("FDDI LLC/SNAP", LinkType.FDDI, wrap(Frames::fddi), 21));
    }

    private static UnaryOperator<byte[]> wrap(UnaryOperator<byte[]> f) {
      return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrappedFrames")
    void ipv4SegmentUnderEachLinkLayer(
        String name, int linkType, UnaryOperator<byte[]> wrapper, int ipOffset) throws Exception {
      byte[] frame = wrapper.apply(ipv4Data().synOptions(1460, 1, 7).build());

      assertThat(decode(linkType, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.ipVersion).isEqualTo(4);
      assertThat(segment.srcAddress()).isEqualTo(ip("10.0.0.1"));
      assertThat(segment.dstAddress()).isEqualTo(ip("192.168.1.2"));
      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.dstPort).isEqualTo(443);
      assertThat(segment.seq).isEqualTo(1000);
      assertThat(segment.ack).isEqualTo(2000);
      assertThat(segment.optionsOffset).isEqualTo(ipOffset + 20 + 20);
      assertThat(segment.optionsLength).isEqualTo(20);
      assertThat(segment.payloadOffset).isEqualTo(ipOffset + 20 + 40);
      assertThat(segment.payloadLength).isEqualTo(100);
      assertThat(segment.frameLength).isEqualTo(frame.length);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrappedFrames")
    void ipv6SegmentUnderEachLinkLayer(
        String name, int linkType, UnaryOperator<byte[]> wrapper, int ipOffset) throws Exception {
      // BSD NULL/LOOP frames carry AF_INET here; the IP version nibble decides.
      byte[] frame = wrapper.apply(ipv6Data().build());

      assertThat(decode(linkType, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.ipVersion).isEqualTo(6);
      assertThat(segment.srcAddress()).isEqualTo(ip("2001:db8::1"));
      assertThat(segment.dstAddress()).isEqualTo(ip("2001:db8::2"));
      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.optionsOffset).isEqualTo(ipOffset + 40 + 20);
      assertThat(segment.optionsLength).isZero();
      assertThat(segment.payloadLength).isEqualTo(100);
    }

    @Test
    void llcWithoutSnapIsNotIp() {
      // 802.3 carrying spanning tree (DSAP/SSAP 0x42): a bridge's frame, not IP.
      byte[] frame = Frames.ieee8023(ipv4Data().build());
      frame[14] = 0x42;
      frame[15] = 0x42;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_IP);
    }

    @Test
    void snapHeaderCutShortIsAnL2Error() {
      byte[] frame = Frames.fddi(ipv4Data().build());

      assertThat(decoder.decode(LinkType.FDDI, frame, 0, 13 + 5, frame.length, TS_US, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void linktypeIpv4AndIpv6CarryTheBarePacket() {
      assertThat(decode(LinkType.IPV4, Frames.ipPacket(ipv4Data().build())))
          .isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.ipVersion).isEqualTo(4);

      assertThat(decode(LinkType.IPV6, Frames.ipPacket(ipv6Data().build())))
          .isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.ipVersion).isEqualTo(6);
    }

    @Test
    void linktypeIpv4RejectsAnIpv6Packet() {
      assertThat(decode(LinkType.IPV4, Frames.ipPacket(ipv6Data().build())))
          .isEqualTo(DecodeResult.IP_ERROR);
    }

    @ParameterizedTest(name = "IPv6 family {0}")
    @ValueSource(ints = {24, 28, 30})
    void bsdNullAcceptsEachOperatingSystemsIpv6Family(int family) {
      byte[] ipv6 = ipv6Data().build();

      assertThat(decode(LinkType.NULL, Frames.bsdNull(ipv6, family)))
          .isEqualTo(DecodeResult.SEGMENT);
      assertThat(decode(LinkType.LOOP, Frames.bsdLoop(ipv6, family)))
          .isEqualTo(DecodeResult.SEGMENT);
    }

    @Test
    void bsdNullWithAnotherFamilyIsNotIp() {
      assertThat(decode(LinkType.NULL, Frames.bsdNull(ipv4Data().build(), 7)))
          .isEqualTo(DecodeResult.NOT_IP);
    }

    @Test
    void rawPacketWithAnUnknownIpVersionIsAnIpError() {
      byte[] packet = Frames.ipPacket(ipv4Data().build());
      packet[0] = 0x55;

      assertThat(decode(LinkType.RAW, packet)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void rawEmptyPacketIsAnIpError() {
      assertThat(decode(LinkType.RAW, new byte[0])).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void linuxSllCarryingArpIsNotIp() {
      byte[] sll = Frames.linuxSll(ipv4Data().build());
      put16(sll, 14, 0x0806);

      assertThat(decode(LinkType.LINUX_SLL, sll)).isEqualTo(DecodeResult.NOT_IP);
    }

    @Test
    void linuxSll2ReadsTheProtocolAtOffsetZero() {
      byte[] sll2 = Frames.linuxSll2(ipv4Data().build());
      put16(sll2, 0, 0x0806);

      assertThat(decode(LinkType.LINUX_SLL2, sll2)).isEqualTo(DecodeResult.NOT_IP);
    }

    @Test
    void cookedHeadersShorterThanTheirFixedSizeAreL2Errors() {
      assertThat(decode(LinkType.LINUX_SLL, new byte[15])).isEqualTo(DecodeResult.L2_ERROR);
      assertThat(decode(LinkType.LINUX_SLL2, new byte[19])).isEqualTo(DecodeResult.L2_ERROR);
      assertThat(decode(LinkType.NULL, new byte[3])).isEqualTo(DecodeResult.L2_ERROR);
      assertThat(decode(LinkType.LOOP, new byte[3])).isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void shortEthernetHeaderIsAnL2Error() {
      byte[] frame = Arrays.copyOf(ipv4Data().build(), 13);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void vlanTagCutShortIsAnL2Error() {
      byte[] tagged = Frames.withVlanTag(ipv4Data().build(), 100);

      assertThat(decodeCaptured(tagged, 16)).isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void arpEtherTypeIsNotIp() {
      byte[] frame = ipv4Data().build();
      put16(frame, 12, 0x0806);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_IP);
    }

    @Test
    void vlanTaggedLldpIsNotIp() {
      byte[] frame = Frames.withVlanTag(ipv4Data().build(), 5);
      put16(frame, 16, 0x88cc);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_IP);
    }

    @ParameterizedTest(name = "link type {0}")
    @ValueSource(ints = {2, 9, 105, 127, 147, 192, 220, 65535})
    void unknownLinkTypeIsUnsupported(int linkType) {
      assertThat(decode(linkType, ipv4Data().build())).isEqualTo(DecodeResult.UNSUPPORTED_LINK);
    }
  }

  @Nested
  class Ipv4 {

    @Test
    void headerWithOptionsMovesTcpByTheHeaderLength() {
      byte[] frame = ipv4Data().build();
      frame = insert(frame, IPV4_TCP, new byte[] {(byte) 0x94, 4, 0, 0}); // Router Alert
      frame[IP] = 0x46; // IHL 6
      put16(frame, IP + 2, u16(frame, IP + 2) + 4);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.dstPort).isEqualTo(443);
      assertThat(segment.seq).isEqualTo(1000);
      assertThat(segment.optionsOffset).isEqualTo(IPV4_TCP + 4 + 20);
      assertThat(segment.payloadOffset).isEqualTo(IPV4_TCP + 4 + 20);
      assertThat(segment.payloadLength).isEqualTo(100);
    }

    @Test
    void firstFragmentIsASegmentMarkedFragmented() {
      byte[] frame = ipv4Data().firstFragment().build();

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.fragmented).isTrue();
      assertThat(segment.payloadLength).isEqualTo(100);
    }

    @Test
    void dontFragmentPacketIsNotFragmented() {
      assertThat(decode(LinkType.ETHERNET, ipv4Data().build())).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.fragmented).isFalse();
    }

    @ParameterizedTest(name = "flags+offset {0}")
    @ValueSource(ints = {0x20b9, 0x00b9, 0x0001})
    void laterFragmentIsCountedAsNonFirstFragment(int fragmentField) {
      byte[] frame = ipv4Data().build();
      put16(frame, IP + 6, fragmentField);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NON_FIRST_FRAGMENT);
    }

    @Test
    void laterFragmentOfUdpIsNotTcp() {
      byte[] frame = ipv4Data().build();
      put16(frame, IP + 6, 0x00b9);
      frame[IP + 9] = 17;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_TCP);
    }

    @Test
    void udpIsNotTcp() {
      byte[] frame = ipv4Data().build();
      frame[IP + 9] = 17;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_TCP);
    }

    @Test
    void truncatedIpHeaderIsAnIpError() {
      assertThat(decodeCaptured(ipv4Data().build(), IP + 19)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void optionsCutOffByTheCaptureAreAnIpError() {
      byte[] frame = ipv4Data().build();
      frame[IP] = 0x4f; // IHL 15: 60 header bytes, more than the 24 captured

      assertThat(decodeCaptured(frame, IP + 24)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void versionOtherThanFourUnderEtherTypeIpv4IsAnIpError() {
      byte[] frame = ipv4Data().build();
      frame[IP] = 0x65;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void headerLengthBelowTwentyIsAnIpError() {
      byte[] frame = ipv4Data().build();
      frame[IP] = 0x44;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void totalLengthShorterThanTheHeaderIsAnIpError() {
      byte[] frame = ipv4Data().build();
      put16(frame, IP + 2, 19);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void totalLengthZeroAsTsoCapturesWriteItTakesThePayloadFromTheCapture() {
      byte[] frame = ipv4Data().payloadLength(3000).build();
      put16(frame, IP + 2, 0);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.payloadLength).isEqualTo(3000);
    }

    @Test
    void totalLengthLeavingNoRoomForTheTcpHeaderIsATcpError() {
      byte[] frame = ipv4Data().build();
      put16(frame, IP + 2, 20 + 19);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.TCP_ERROR);
    }
  }

  @Nested
  class Ipv6 {
    private static final int NEXT_HEADER = IP + 6;
    private static final int PAYLOAD_LENGTH = IP + 4;

    /** Inserts extension headers after the fixed header and chains them in. */
    private byte[] withExtensionHeaders(byte[] frame, int firstNextHeader, byte[] headers) {
      byte[] out = insert(frame, IPV6_TCP, headers);
      out[NEXT_HEADER] = (byte) firstNextHeader;
      put16(out, PAYLOAD_LENGTH, u16(out, PAYLOAD_LENGTH) + headers.length);
      return out;
    }

    private byte[] fragmentHeader(int offsetInEightBytes, boolean moreFragments) {
      int field = (offsetInEightBytes << 3) | (moreFragments ? 1 : 0);
      return new byte[] {6, 0, (byte) (field >> 8), (byte) field, 0x12, 0x34, 0x56, 0x78};
    }

    @Test
    void hopByHopThenDestinationOptionsAreSkipped() {
      byte[] hopByHop = {60, 0, 1, 4, 0, 0, 0, 0}; // next: destination options; PadN
      byte[] destinationOptions = new byte[16]; // hdr ext len 1: 16 bytes
      destinationOptions[0] = 6;
      destinationOptions[1] = 1;
      destinationOptions[2] = 1; // PadN
      destinationOptions[3] = 12;
      byte[] frame = withExtensionHeaders(
          ipv6Data().build(), 0, Frames.concat(hopByHop, destinationOptions));

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.dstPort).isEqualTo(443);
      assertThat(segment.seq).isEqualTo(1000);
      assertThat(segment.ack).isEqualTo(2000);
      assertThat(segment.optionsOffset).isEqualTo(IPV6_TCP + 24 + 20);
      assertThat(segment.payloadLength).isEqualTo(100);
      assertThat(segment.fragmented).isFalse();
    }

    @Test
    void routingHeaderIsSkipped() {
      byte[] routing = {6, 0, 0, 0, 0, 0, 0, 0}; // type 0, segments left 0
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 43, routing);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.payloadOffset).isEqualTo(IPV6_TCP + 8 + 20);
      assertThat(segment.payloadLength).isEqualTo(100);
    }

    @Test
    void firstFragmentIsASegmentMarkedFragmented() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 44, fragmentHeader(0, true));

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.fragmented).isTrue();
      assertThat(segment.srcPort).isEqualTo(40000);
      assertThat(segment.payloadLength).isEqualTo(100);
    }

    @Test
    void atomicFragmentIsNotFragmented() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 44, fragmentHeader(0, false));

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.fragmented).isFalse();
    }

    @Test
    void laterFragmentIsCountedAsNonFirstFragment() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 44, fragmentHeader(185, true));

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NON_FIRST_FRAGMENT);
    }

    @Test
    void lastFragmentIsCountedAsNonFirstFragment() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 44, fragmentHeader(185, false));

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NON_FIRST_FRAGMENT);
    }

    @Test
    void udpIsNotTcp() {
      byte[] frame = ipv6Data().build();
      frame[NEXT_HEADER] = 17;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_TCP);
    }

    @Test
    void icmpv6BehindHopByHopIsNotTcp() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 0, new byte[] {58, 0, 1, 4, 0, 0, 0, 0});

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.NOT_TCP);
    }

    @Test
    void truncatedFixedHeaderIsAnIpError() {
      assertThat(decodeCaptured(ipv6Data().build(), IP + 39)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void extensionHeaderCutOffByTheCaptureIsAnIpError() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 0, new byte[] {6, 0, 1, 4, 0, 0, 0, 0});

      assertThat(decodeCaptured(frame, IPV6_TCP + 7)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void extensionHeaderLongerThanThePayloadLengthIsAnIpError() {
      byte[] frame = withExtensionHeaders(ipv6Data().build(), 0, new byte[] {6, 0, 1, 4, 0, 0, 0, 0});
      put16(frame, PAYLOAD_LENGTH, 4);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void versionOtherThanSixUnderEtherTypeIpv6IsAnIpError() {
      byte[] frame = ipv6Data().build();
      frame[IP] = 0x40;

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.IP_ERROR);
    }

    @Test
    void payloadLengthZeroTakesThePayloadFromTheCapture() {
      byte[] frame = ipv6Data().payloadLength(3000).build();
      put16(frame, PAYLOAD_LENGTH, 0);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.payloadLength).isEqualTo(3000);
    }

    @Test
    void jumbogramBehindItsHopByHopHeaderTakesThePayloadFromTheCapture() {
      // RFC 2675: payload length 0 and a Jumbo Payload option (type 0xC2) in hop-by-hop.
      byte[] frame = ipv6Data().payloadLength(3000).build();
      int jumboLength = 8 + 20 + 3000;
      byte[] hopByHop = {6, 0, (byte) 0xc2, 4,
          (byte) (jumboLength >> 24), (byte) (jumboLength >> 16), (byte) (jumboLength >> 8), (byte) jumboLength};
      frame = withExtensionHeaders(frame, 0, hopByHop);
      put16(frame, PAYLOAD_LENGTH, 0);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.SEGMENT);
      assertThat(segment.payloadOffset).isEqualTo(IPV6_TCP + 8 + 20);
      assertThat(segment.payloadLength).isEqualTo(3000);
    }
  }

  @Nested
  class Tcp {

    @Test
    void snapLengthCutAfterTheTcpHeaderStillGivesASegmentWithTheIpPayloadLength() {
      byte[] frame = ipv4Data().payloadLength(1400).build();

      assertThat(decodeCaptured(frame, IPV4_TCP + 20)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.payloadLength).isEqualTo(1400);
      assertThat(segment.capturedPayload).isZero();
      assertThat(segment.frameLength).isEqualTo(frame.length);
      assertThat(segment.seq).isEqualTo(1000);
    }

    @Test
    void snapLengthCutInsideThePayloadCountsTheCapturedPart() {
      byte[] frame = ipv6Data().payloadLength(1400).build();

      assertThat(decodeCaptured(frame, IPV6_TCP + 20 + 42)).isEqualTo(DecodeResult.SEGMENT);

      assertThat(segment.payloadLength).isEqualTo(1400);
      assertThat(segment.capturedPayload).isEqualTo(42);
    }

    @Test
    void truncatedTcpHeaderIsATcpError() {
      assertThat(decodeCaptured(ipv4Data().build(), IPV4_TCP + 19)).isEqualTo(DecodeResult.TCP_ERROR);
      assertThat(decodeCaptured(ipv6Data().build(), IPV6_TCP + 10)).isEqualTo(DecodeResult.TCP_ERROR);
    }

    @Test
    void optionsCutOffByTheCaptureAreATcpError() {
      byte[] frame = ipv4Data().synOptions(1460, 1, 7).build();

      assertThat(decodeCaptured(frame, IPV4_TCP + 30)).isEqualTo(DecodeResult.TCP_ERROR);
    }

    @ParameterizedTest(name = "data offset {0}")
    @ValueSource(ints = {0, 1, 4})
    void dataOffsetBelowFiveIsATcpError(int dataOffset) {
      byte[] frame = ipv4Data().build();
      frame[IPV4_TCP + 12] = (byte) (dataOffset << 4);

      assertThat(decode(LinkType.ETHERNET, frame)).isEqualTo(DecodeResult.TCP_ERROR);
    }

    @Test
    void dataOffsetBeyondTheIpPayloadIsATcpError() {
      byte[] frame = ipv4Data().payloadLength(0).build(); // 20 TCP bytes in the packet
      frame[IPV4_TCP + 12] = (byte) 0x60; // claims 24
      byte[] padded = Arrays.copyOf(frame, frame.length + 4); // even if the bytes are there

      assertThat(decode(LinkType.ETHERNET, padded)).isEqualTo(DecodeResult.TCP_ERROR);
    }
  }

  @Nested
  class Bounds {

    @Test
    void capturedLengthBeyondTheBufferIsAnL2Error() {
      byte[] frame = ipv4Data().build();

      assertThat(decoder.decode(LinkType.ETHERNET, frame, 0, frame.length + 1, frame.length, 0, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
      assertThat(decoder.decode(LinkType.ETHERNET, frame, 5, frame.length, frame.length, 0, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void negativeOffsetOrLengthIsAnL2Error() {
      byte[] frame = ipv4Data().build();

      assertThat(decoder.decode(LinkType.ETHERNET, frame, -1, 10, 10, 0, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
      assertThat(decoder.decode(LinkType.ETHERNET, frame, 0, -1, 10, 0, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
    }

    @Test
    void offsetPlusLengthOverflowingAnIntIsAnL2Error() {
      byte[] frame = new byte[20];

      assertThat(decoder.decode(LinkType.ETHERNET, frame, 10, Integer.MAX_VALUE, 0, 0, segment))
          .isEqualTo(DecodeResult.L2_ERROR);
    }
  }
}
