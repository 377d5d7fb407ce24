package dev.tcpscope.capture.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import org.junit.jupiter.api.Test;

/** Golden option lists, each byte annotated; then the lists that once crashed parsers. */
class TcpOptionsTest {
  private final TcpOptions options = new TcpOptions();

  private TcpOptions read(int... bytes) {
    byte[] b = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      b[i] = (byte) bytes[i];
    }
    return options.read(b, 0, b.length);
  }

  @Test
  void linuxSynOptionsFromADecodedFrame() {
    // tcpdump: options [mss 1460,sackOK,TS val 123456 ecr 0,nop,wscale 7]
    byte[] frame = TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 80)
        .flags(TcpFlags.SYN).synOptions(1460, 123456, 7).build();
    DecodedSegment s = new DecodedSegment();
    assertThat(new FrameDecoder().decode(LinkType.ETHERNET, frame, 0, frame.length, frame.length,
        1L, s)).isEqualTo(DecodeResult.SEGMENT);

    options.read(s.frame, s.optionsOffset, s.optionsLength);

    assertThat(options.mss).isEqualTo(1460);
    assertThat(options.sackPermitted).isTrue();
    assertThat(options.timestamps).isTrue();
    assertThat(options.tsVal).isEqualTo(123456);
    assertThat(options.tsEcr).isZero();
    assertThat(options.windowScale).isEqualTo(7);
    assertThat(options.otherCount).isZero();
    assertThat(options.malformed).isFalse();
  }

  @Test
  void sackBlocksWithUnsignedEdges() {
    read(1, 1, // nop, nop
        5, 18, // SACK, 2 blocks
        0xff, 0xff, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x10, // 4294967280-16 (wraps)
        0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00); // 4096-8192

    assertThat(options.sackBlocks).isEqualTo(2);
    assertThat(options.sack).startsWith(0xfffffff0L, 0x10L, 0x1000L, 0x2000L);
    assertThat(options.malformed).isFalse();
  }

  @Test
  void timestampsAreUnsigned() {
    read(1, 1, 8, 10, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 1);

    assertThat(options.tsVal).isEqualTo(0xffffffffL);
    assertThat(options.tsEcr).isEqualTo(0x80000001L);
  }

  @Test
  void fastOpenCookieAndCookieRequest() {
    read(34, 10, 1, 2, 3, 4, 5, 6, 7, 8); // RFC 7413: an 8-byte cookie
    assertThat(options.fastOpen).isTrue();
    assertThat(options.fastOpenCookieLength).isEqualTo(8);

    read(34, 2); // a cookie request
    assertThat(options.fastOpen).isTrue();
    assertThat(options.fastOpenCookieLength).isZero();

    read(254, 4, 0xf9, 0x89); // the experimental option (kind 254, magic 0xF989), as old Linux
    assertThat(options.fastOpen).isTrue();
  }

  @Test
  void otherOptionsAsKindAndLength() {
    read(30, 4, 0x10, 0x01, // MPTCP (kind 30), 4 bytes
        19, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // MD5 signature
        254, 4, 0x12, 0x34); // an experiment that is not Fast Open

    assertThat(options.otherCount).isEqualTo(3);
    assertThat(options.otherKind).startsWith(30, 19, 254);
    assertThat(options.otherLength).startsWith(4, 18, 4);
    assertThat(options.fastOpen).isFalse();
  }

  @Test
  void aKnownKindWithTheWrongLengthIsReportedAsOther() {
    read(2, 6, 0x05, 0xb4, 0, 0); // MSS must be 4 bytes long

    assertThat(options.mss).isEqualTo(-1);
    assertThat(options.otherCount).isEqualTo(1);
    assertThat(options.otherKind[0]).isEqualTo(2);
  }

  @Test
  void endOfListStopsReadingAndNothingIsAbsentByDefault() {
    read(0, 2, 4, 0x05, 0xb4); // EOL, then what would be an MSS

    assertThat(options.mss).isEqualTo(-1);
    assertThat(options.windowScale).isEqualTo(-1);
    assertThat(options.sackPermitted).isFalse();
    assertThat(options.malformed).isFalse();
  }

  @Test
  void lengthZeroOrOneOrOverrunningIsMalformedNotALoop() {
    // tcpdump's kday captures: a length of 0 or 1 made miruo and old parsers loop or crash.
    assertThat(read(2, 4, 0x05, 0xb4, 3, 0, 7).malformed).isTrue();
    assertThat(options.mss).isEqualTo(1460); // what came before the bad option is kept
    assertThat(read(8, 1).malformed).isTrue();
    assertThat(read(8, 10, 0, 0).malformed).isTrue();
    assertThat(read(3).malformed).isTrue();
  }

  @Test
  void aReusedInstanceForgetsThePreviousSegment() {
    read(2, 4, 0x05, 0xb4, 4, 2, 34, 2);
    read(1, 1, 1, 1);

    assertThat(options.mss).isEqualTo(-1);
    assertThat(options.sackPermitted).isFalse();
    assertThat(options.fastOpen).isFalse();
  }
}
