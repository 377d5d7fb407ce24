package dev.tcpscope.capture.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentRecordsTest {
  private static final long TS_US = 1_700_000_000_000_042L;

  private final SegmentRecords records = new SegmentRecords("host-a", "eth0");
  private final FrameDecoder decoder = new FrameDecoder();

  /** Decodes a built frame into a fresh segment, as the agent does for each capture. */
  private DecodedSegment decoded(TcpFrameBuilder builder) {
    byte[] frame = builder.build();
    DecodedSegment segment = new DecodedSegment();
    assertThat(decoder.decode(LinkType.ETHERNET, frame, 0, frame.length, frame.length, TS_US, segment))
        .isEqualTo(DecodeResult.SEGMENT);
    return segment;
  }

  private static byte[] ip(String literal) throws Exception {
    return InetAddress.getByName(literal).getAddress();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] out = new byte[copy.remaining()];
    copy.get(out);
    return out;
  }

  @ParameterizedTest(name = "{0}:{1} <-> {2}:{3}")
  @CsvSource({
    // low endpoint first in each row
    "10.0.0.2,      80,    10.0.0.10,     5000",
    "10.0.0.3,      40000, 10.0.0.200,    80", // 200 is negative as a signed byte
    "127.0.0.1,     80,    127.0.0.1,     5000", // same address: by port
    "127.0.0.1,     443,   127.0.0.1,     50000", // ports above 32767 compare unsigned too
    "2001:db8::1,   443,   fe80::1,       443",
    "2001:db8::ff,  9000,  2001:db8::1:0, 22",
    "::1,           22,    ::1,           60000"
  })
  void bothDirectionsOfAConnectionShareOneKeyWithTheLowerEndpointFirst(
      String lowIp, int lowPort, String highIp, int highPort) throws Exception {
    ConnectionKey fromLow = records.key(decoded(
        TcpFrameBuilder.tcp(lowIp, lowPort, highIp, highPort).flags(TcpFlags.SYN)));
    ConnectionKey fromHigh = records.key(decoded(
        TcpFrameBuilder.tcp(highIp, highPort, lowIp, lowPort).flags(TcpFlags.SYN | TcpFlags.ACK)));

    assertThat(fromHigh).isEqualTo(fromLow);
    assertThat(bytes(fromLow.getLowIp())).isEqualTo(ip(lowIp));
    assertThat(fromLow.getLowPort()).isEqualTo(lowPort);
    assertThat(bytes(fromLow.getHighIp())).isEqualTo(ip(highIp));
    assertThat(fromLow.getHighPort()).isEqualTo(highPort);
  }

  @Test
  void differentConnectionsBetweenTheSameHostsHaveDifferentKeys() {
    ConnectionKey first = records.key(decoded(TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 80)));
    ConnectionKey second = records.key(decoded(TcpFrameBuilder.tcp("10.0.0.1", 40001, "10.0.0.2", 80)));

    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void keyAddressesAreFourBytesForIpv4AndSixteenForIpv6() {
    ConnectionKey v4 = records.key(decoded(TcpFrameBuilder.tcp("10.0.0.1", 1, "10.0.0.2", 2)));
    ConnectionKey v6 = records.key(decoded(TcpFrameBuilder.tcp("2001:db8::1", 1, "2001:db8::2", 2)));

    assertThat(v4.getLowIp().remaining()).isEqualTo(4);
    assertThat(v4.getHighIp().remaining()).isEqualTo(4);
    assertThat(v6.getLowIp().remaining()).isEqualTo(16);
    assertThat(v6.getHighIp().remaining()).isEqualTo(16);
  }

  @Test
  void ipv4KeyIgnoresStaleBytesBeyondTheAddress() {
    DecodedSegment reused = new DecodedSegment();
    byte[] v6 = TcpFrameBuilder.tcp("2001:db8::1", 1, "2001:db8::2", 2).build();
    byte[] v4 = TcpFrameBuilder.tcp("10.0.0.1", 1, "10.0.0.2", 2).build();
    decoder.decode(LinkType.ETHERNET, v6, 0, v6.length, v6.length, 0, reused);
    decoder.decode(LinkType.ETHERNET, v4, 0, v4.length, v4.length, 0, reused);

    assertThat(records.key(reused))
        .isEqualTo(records.key(decoded(TcpFrameBuilder.tcp("10.0.0.2", 2, "10.0.0.1", 1))));
  }

  @Test
  void compareEndpointsIsNegativeWhenTheFirstIsLower() throws Exception {
    assertThat(SegmentRecords.compareEndpoints(ip("10.0.0.1"), 80, ip("10.0.0.2"), 1, 4)).isNegative();
    assertThat(SegmentRecords.compareEndpoints(ip("10.0.0.128"), 1, ip("10.0.0.1"), 80, 4)).isPositive();
    assertThat(SegmentRecords.compareEndpoints(ip("10.0.0.1"), 80, ip("10.0.0.1"), 80, 4)).isZero();
  }

  @Test
  void valueCarriesEveryHeaderFieldAndTheSender() throws Exception {
    DecodedSegment segment = decoded(TcpFrameBuilder.tcp("192.168.7.9", 51000, "10.0.0.2", 443)
        .seq(0xfffffffeL).ack(0x90000000L)
        .flags(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR)
        .window(64240).synOptions(1460, 77, 7).payloadLength(10).firstFragment());

    TcpSegment value = records.value(segment);

    assertThat(value.getObserver()).isEqualTo("host-a");
    assertThat(value.getSource()).isEqualTo("eth0");
    assertThat(value.getTsUs()).isEqualTo(TS_US);
    assertThat(bytes(value.getSrcIp())).isEqualTo(ip("192.168.7.9"));
    assertThat(value.getSrcPort()).isEqualTo(51000);
    assertThat(bytes(value.getDstIp())).isEqualTo(ip("10.0.0.2"));
    assertThat(value.getDstPort()).isEqualTo(443);
    assertThat(value.getSeq()).isEqualTo(0xfffffffeL);
    assertThat(value.getAck()).isEqualTo(0x90000000L);
    assertThat(value.getFlags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
    assertThat(value.getWindow()).isEqualTo(64240);
    assertThat(value.getPayloadLength()).isEqualTo(10);
    assertThat(value.getFrameLength()).isEqualTo(14 + 20 + 40 + 10);
    assertThat(value.getFragmented()).isTrue();
    assertThat(bytes(value.getOptions())).hasSize(20).startsWith(2, 4, 0x05, (byte) 0xb4);
  }

  @Test
  void valueKeepsTheSenderDirectionUnlikeTheKey() throws Exception {
    TcpSegment fromHigh = records.value(decoded(TcpFrameBuilder.tcp("fe80::1", 443, "2001:db8::1", 443)));

    assertThat(bytes(fromHigh.getSrcIp())).isEqualTo(ip("fe80::1")).hasSize(16);
    assertThat(bytes(fromHigh.getDstIp())).isEqualTo(ip("2001:db8::1")).hasSize(16);
  }

  @Test
  void valueAndKeyAreCopiesThatSurviveReuseOfTheSegment() throws Exception {
    DecodedSegment reused = new DecodedSegment();
    byte[] first = TcpFrameBuilder.tcp("10.0.0.1", 1111, "10.0.0.2", 80).seq(1).synOptions(1460, 1, 7).build();
    byte[] second = TcpFrameBuilder.tcp("10.9.9.9", 2222, "10.8.8.8", 81).seq(2).build();
    decoder.decode(LinkType.ETHERNET, first, 0, first.length, first.length, 1, reused);
    TcpSegment value = records.value(reused);
    ConnectionKey key = records.key(reused);

    decoder.decode(LinkType.ETHERNET, second, 0, second.length, second.length, 2, reused);
    first[14 + 20 + 20] = 99; // the capture buffer is overwritten too

    assertThat(bytes(value.getSrcIp())).isEqualTo(ip("10.0.0.1"));
    assertThat(value.getSrcPort()).isEqualTo(1111);
    assertThat(value.getSeq()).isEqualTo(1);
    assertThat(bytes(value.getOptions())).startsWith(2, 4);
    assertThat(bytes(key.getLowIp())).isEqualTo(ip("10.0.0.1"));
    assertThat(key.getHighPort()).isEqualTo(80);
  }
}
