package dev.tcpscope.cli.conformance;

import dev.tcpscope.capture.decode.DecodedSegment;

/**
 * IP and TCP checksums of a decoded segment, for replaying a trace the way Zeek read it with
 * checksums verified: a packet whose IPv4 header checksum is wrong is dropped, one whose TCP
 * checksum is wrong is only counted (history {@code c}). A checksum is judged only when the
 * bytes it covers were all captured, as Zeek does.
 */
final class Checksums {
  enum Verdict {
    GOOD,
    BAD_IP,
    BAD_TCP
  }

  private Checksums() {}

  static Verdict of(DecodedSegment d) {
    byte[] b = d.frame;
    int tcp = d.optionsOffset - 20;
    int tcpLength = d.payloadOffset - tcp + d.payloadLength;
    if (d.ipVersion == 4) {
      int ip = ipv4Header(d, tcp);
      if (ip >= 0) {
        int headerLength = (b[ip] & 0x0f) * 4;
        if (fold(sum(b, ip, headerLength, 0)) != 0xffff) {
          return Verdict.BAD_IP;
        }
      }
    }
    if (d.capturedPayload < d.payloadLength) {
      return Verdict.GOOD;
    }
    long sum = 0;
    int addressLength = d.addressLength();
    sum = sum(d.srcIp, 0, addressLength, sum);
    sum = sum(d.dstIp, 0, addressLength, sum);
    sum += 6 + tcpLength;
    sum = sum(b, tcp, tcpLength, sum);
    return fold(sum) == 0xffff ? Verdict.GOOD : Verdict.BAD_TCP;
  }

  /** Where the IPv4 header carrying this TCP header begins (-1: not found right before it). */
  private static int ipv4Header(DecodedSegment d, int tcp) {
    byte[] b = d.frame;
    for (int words = 5; words <= 15; words++) {
      int at = tcp - words * 4;
      if (at < 0) {
        return -1;
      }
      if ((b[at] & 0xff) == (0x40 | words) && (b[at + 9] & 0xff) == 6
          && java.util.Arrays.equals(b, at + 12, at + 16, d.srcIp, 0, 4)
          && java.util.Arrays.equals(b, at + 16, at + 20, d.dstIp, 0, 4)) {
        return at;
      }
    }
    return -1;
  }

  private static long sum(byte[] b, int at, int length, long sum) {
    int end = at + length;
    for (int i = at; i + 1 < end; i += 2) {
      sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    if ((length & 1) == 1) {
      sum += (b[end - 1] & 0xff) << 8;
    }
    return sum;
  }

  private static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }
}
