package dev.tcpscope.capture.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tunnels and carriers are opened so the inner TCP connection is what gets decoded: each test
 * wraps one inner frame built by {@link TcpFrameBuilder} in the outer headers by hand.
 */
class TunnelDecodingTest {
  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment out = new DecodedSegment();

  private static final byte[] INNER_ETHERNET = TcpFrameBuilder.tcp("10.1.1.1", 40000, "10.2.2.2", 443)
      .seq(0x01020304L).ack(0x0A0B0C0DL).flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(100)
      .build();
  private static final byte[] INNER_IP = Frames.ipPacket(INNER_ETHERNET);
  private static final byte[] INNER_IPV6 = Frames.ipPacket(
      TcpFrameBuilder.tcp("fd00::1", 50000, "fd00::2", 22).seq(7).flags(TcpFlags.SYN).build());

  private DecodeResult decodeEthernet(byte[] frame) {
    return decoder.decode(LinkType.ETHERNET, frame, 0, frame.length, frame.length, 1L, out);
  }

  private void assertInnerConnection() {
    assertThat(out.ipVersion).isEqualTo(4);
    assertThat(Arrays.copyOf(out.srcIp, 4)).containsExactly(10, 1, 1, 1);
    assertThat(Arrays.copyOf(out.dstIp, 4)).containsExactly(10, 2, 2, 2);
    assertThat(out.srcPort).isEqualTo(40000);
    assertThat(out.dstPort).isEqualTo(443);
    assertThat(out.seq).isEqualTo(0x01020304L);
    assertThat(out.payloadLength).isEqualTo(100);
  }

  /** Outer Ethernet + IPv4 (protocol given) around a payload. */
  private static byte[] outerIpv4(int protocol, byte[] payload) {
    byte[] ip = new byte[20];
    ip[0] = 0x45;
    Frames.put16(ip, 2, 20 + payload.length);
    ip[8] = 64;
    ip[9] = (byte) protocol;
    ip[12] = (byte) 192;
    ip[13] = (byte) 168;
    ip[15] = 1;
    ip[16] = (byte) 192;
    ip[17] = (byte) 168;
    ip[19] = 2;
    return ethernet(0x0800, Frames.concat(ip, payload));
  }

  private static byte[] ethernet(int etherType, byte[] payload) {
    byte[] header = new byte[14];
    header[0] = 2;
    header[6] = 2;
    header[11] = 1;
    Frames.put16(header, 12, etherType);
    return Frames.concat(header, payload);
  }

  private static byte[] udp(int srcPort, int dstPort, byte[] payload) {
    byte[] h = new byte[8];
    Frames.put16(h, 0, srcPort);
    Frames.put16(h, 2, dstPort);
    Frames.put16(h, 4, 8 + payload.length);
    return Frames.concat(h, payload);
  }

  @Test
  void ipInIp() {
    assertThat(decodeEthernet(outerIpv4(4, INNER_IP))).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void ipv6InIpv4() {
    assertThat(decodeEthernet(outerIpv4(41, INNER_IPV6))).isEqualTo(DecodeResult.SEGMENT);
    assertThat(out.ipVersion).isEqualTo(6);
    assertThat(out.dstPort).isEqualTo(22);
  }

  @Test
  void greWithKeyAndSequenceCarryingIpv4() {
    byte[] gre = {0x30, 0x00, 0x08, 0x00, 0, 0, 0, 42, 0, 0, 0, 1};
    assertThat(decodeEthernet(outerIpv4(47, Frames.concat(gre, INNER_IP))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void greWithChecksumCarryingEthernet() {
    byte[] gre = {(byte) 0x80, 0x00, 0x65, 0x58, 0, 0, 0, 0};
    assertThat(decodeEthernet(outerIpv4(47, Frames.concat(gre, INNER_ETHERNET))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void erspanTypeTwo() {
    byte[] gre = {0x10, 0x00, (byte) 0x88, (byte) 0xBE, 0, 0, 0, 5};
    byte[] erspan = new byte[8];
    assertThat(decodeEthernet(outerIpv4(47, Frames.concat(Frames.concat(gre, erspan),
        INNER_ETHERNET)))).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void vxlan() {
    byte[] vxlan = {0x08, 0, 0, 0, 0, 0, 1, 0};
    assertThat(decodeEthernet(outerIpv4(17, udp(51000, 4789, Frames.concat(vxlan,
        INNER_ETHERNET))))).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void geneveWithOptions() {
    byte[] geneve = {0x02, 0x00, 0x65, 0x58, 0, 0, 1, 0, /* 8 bytes of options */ 0, 1, 2, 1, 0,
        0, 0, 0};
    assertThat(decodeEthernet(outerIpv4(17, udp(51000, 6081, Frames.concat(geneve,
        INNER_ETHERNET))))).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void gtpUserPlaneWithAnExtensionHeader() {
    byte[] gtp = {0x34, (byte) 0xff, 0, 0, 0, 0, 0, 1, /* seq, n-pdu, next ext */ 0, 0, 0,
        (byte) 0x85, /* ext: length 1 (4 bytes), content, next none */ 1, 0, 0, 0};
    assertThat(decodeEthernet(outerIpv4(17, udp(2152, 2152, Frames.concat(gtp, INNER_IP)))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void teredoWithOriginIndication() {
    byte[] origin = {0, 0, 1, 2, 3, 4, 5, 6};
    assertThat(decodeEthernet(outerIpv4(17, udp(3544, 61000, Frames.concat(origin, INNER_IPV6)))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertThat(out.ipVersion).isEqualTo(6);
  }

  @Test
  void greOverUdp() {
    byte[] gre = {0x00, 0x00, 0x08, 0x00};
    assertThat(decodeEthernet(outerIpv4(17, udp(4754, 4754, Frames.concat(gre, INNER_IP)))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void ordinaryUdpIsNotTcp() {
    assertThat(decodeEthernet(outerIpv4(17, udp(53, 5353, new byte[20]))))
        .isEqualTo(DecodeResult.NOT_TCP);
  }

  @Test
  void mplsLabelStackThenIpv4() {
    byte[] labels = {0, 0x01, 0x00, 64, 0, 0x02, 0x01, 64}; // second label has bottom-of-stack
    assertThat(decodeEthernet(ethernet(0x8847, Frames.concat(labels, INNER_IP))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void mplsPseudowireWithControlWordThenEthernet() {
    byte[] label = {0, 0x01, 0x01, 64};
    byte[] controlWord = {0, 0, 0, 0};
    assertThat(decodeEthernet(ethernet(0x8847, Frames.concat(Frames.concat(label, controlWord),
        INNER_ETHERNET)))).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void pppoeSession() {
    byte[] pppoe = {0x11, 0x00, 0x12, 0x34, 0, 0, 0x00, 0x21};
    Frames.put16(pppoe, 4, INNER_IP.length + 2);
    assertThat(decodeEthernet(ethernet(0x8864, Frames.concat(pppoe, INNER_IP))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void pppoeInsideQinQ() {
    byte[] pppoe = {0x11, 0x00, 0x12, 0x34, 0, 0, 0x00, 0x21};
    byte[] frame = ethernet(0x88A8, Frames.concat(new byte[] {0, 10, (byte) 0x81, 0x00},
        Frames.concat(new byte[] {0, 20, (byte) 0x88, 0x64}, Frames.concat(pppoe, INNER_IP))));
    assertThat(decodeEthernet(frame)).isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void vnTagAndFabricPath() {
    byte[] vntag = {0, 0, 0, 0, 0x08, 0x00};
    assertThat(decodeEthernet(ethernet(0x8926, Frames.concat(vntag, INNER_IP))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
    byte[] ftag = {0x00, 0x3f};
    assertThat(decodeEthernet(ethernet(0x8903, Frames.concat(ftag, INNER_ETHERNET))))
        .isEqualTo(DecodeResult.SEGMENT);
    assertInnerConnection();
  }

  @Test
  void tunnelsNestedTooDeepAreNotFollowed() {
    byte[] packet = INNER_IP;
    for (int i = 0; i < FrameDecoder.MAX_ENCAPSULATIONS + 1; i++) {
      byte[] ip = Arrays.copyOf(Frames.ipPacket(outerIpv4(4, packet)), 20 + packet.length);
      packet = ip;
    }
    assertThat(decodeEthernet(ethernet(0x0800, packet))).isEqualTo(DecodeResult.NOT_TCP);
  }

  @Test
  void innerPacketIsBoundedByTheOuterIpLength() {
    // The inner TCP header is cut at the end of the outer packet; the padding after it must
    // not be read as the rest of the header.
    byte[] frame = Frames.concat(outerIpv4(4, Arrays.copyOf(INNER_IP, 30)), new byte[200]);
    assertThat(decodeEthernet(frame)).isEqualTo(DecodeResult.TCP_ERROR);
  }
}
