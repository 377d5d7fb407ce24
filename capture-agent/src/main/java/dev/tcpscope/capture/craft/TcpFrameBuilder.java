package dev.tcpscope.capture.craft;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Builds Ethernet + IPv4/IPv6 + TCP frames with correct lengths and checksums: the project's
 * own way to make captures for tests and for the bundled demo, so no foreign capture file is
 * copied into the repository.
 */
public final class TcpFrameBuilder {
  private byte[] src;
  private byte[] dst;
  private int srcPort;
  private int dstPort;
  private long seq;
  private long ack;
  private int flags;
  private int window = 65535;
  private byte[] options = new byte[0];
  private byte[] payload = new byte[0];
  private boolean moreFragments;
  private int ipId = 1;

  public static TcpFrameBuilder tcp(String srcIp, int srcPort, String dstIp, int dstPort) {
    TcpFrameBuilder b = new TcpFrameBuilder();
    b.src = address(srcIp);
    b.dst = address(dstIp);
    if (b.src.length != b.dst.length) {
      throw new IllegalArgumentException("mixed IPv4 and IPv6 endpoints");
    }
    b.srcPort = srcPort;
    b.dstPort = dstPort;
    return b;
  }

  private static byte[] address(String ip) {
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address literal: " + ip, e);
    }
  }

  public TcpFrameBuilder seq(long value) {
    seq = value & 0xffffffffL;
    return this;
  }

  public TcpFrameBuilder ack(long value) {
    ack = value & 0xffffffffL;
    return this;
  }

  public TcpFrameBuilder flags(int value) {
    flags = value;
    return this;
  }

  public TcpFrameBuilder window(int value) {
    window = value;
    return this;
  }

  public TcpFrameBuilder payload(byte[] value) {
    payload = value.clone();
    return this;
  }

  public TcpFrameBuilder payloadLength(int length) {
    payload = new byte[length];
    return this;
  }

  public TcpFrameBuilder ipId(int value) {
    ipId = value;
    return this;
  }

  /** Marks the IPv4 packet as the first of several fragments (MF set, offset 0). */
  public TcpFrameBuilder firstFragment() {
    moreFragments = true;
    return this;
  }

  /** Adds the options Linux puts on a SYN: MSS, SACK permitted, timestamps, window scale. */
  public TcpFrameBuilder synOptions(int mss, long tsVal, int windowScale) {
    return options(
        new byte[] {
          2, 4, (byte) (mss >> 8), (byte) mss,
          4, 2,
          8, 10, (byte) (tsVal >> 24), (byte) (tsVal >> 16), (byte) (tsVal >> 8), (byte) tsVal,
          0, 0, 0, 0,
          1,
          3, 3, (byte) windowScale
        });
  }

  /** Raw option bytes, padded with end-of-list zeros to a multiple of 4. */
  public TcpFrameBuilder options(byte[] raw) {
    int padded = (raw.length + 3) & ~3;
    options = new byte[padded];
    System.arraycopy(raw, 0, options, 0, raw.length);
    return this;
  }

  /** The Ethernet frame. */
  public byte[] build() {
    byte[] tcp = tcpSegment();
    ByteArrayOutputStream frame = new ByteArrayOutputStream(64 + tcp.length);
    // Ethernet: locally administered MACs, EtherType by IP version.
    frame.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
    if (src.length == 4) {
      frame.writeBytes(new byte[] {0x08, 0x00});
      frame.writeBytes(ipv4Header(tcp.length));
    } else {
      frame.writeBytes(new byte[] {(byte) 0x86, (byte) 0xdd});
      frame.writeBytes(ipv6Header(tcp.length));
    }
    frame.writeBytes(tcp);
    return frame.toByteArray();
  }

  private byte[] tcpSegment() {
    int headerLength = 20 + options.length;
    byte[] t = new byte[headerLength + payload.length];
    put16(t, 0, srcPort);
    put16(t, 2, dstPort);
    put32(t, 4, seq);
    put32(t, 8, ack);
    t[12] = (byte) (((headerLength / 4) << 4) | ((flags >> 8) & 1));
    t[13] = (byte) flags;
    put16(t, 14, window);
    System.arraycopy(options, 0, t, 20, options.length);
    System.arraycopy(payload, 0, t, headerLength, payload.length);
    put16(t, 16, checksum(pseudoHeader(t.length), t));
    return t;
  }

  private byte[] pseudoHeader(int tcpLength) {
    if (src.length == 4) {
      byte[] p = new byte[12];
      System.arraycopy(src, 0, p, 0, 4);
      System.arraycopy(dst, 0, p, 4, 4);
      p[9] = 6;
      put16(p, 10, tcpLength);
      return p;
    }
    byte[] p = new byte[40];
    System.arraycopy(src, 0, p, 0, 16);
    System.arraycopy(dst, 0, p, 16, 16);
    put32(p, 32, tcpLength);
    p[39] = 6;
    return p;
  }

  private byte[] ipv4Header(int tcpLength) {
    byte[] h = new byte[20];
    h[0] = 0x45;
    put16(h, 2, 20 + tcpLength);
    put16(h, 4, ipId);
    put16(h, 6, moreFragments ? 0x2000 : 0x4000); // MF, or DF as Linux sets it
    h[8] = 64;
    h[9] = 6;
    System.arraycopy(src, 0, h, 12, 4);
    System.arraycopy(dst, 0, h, 16, 4);
    put16(h, 10, checksum(new byte[0], h));
    return h;
  }

  private byte[] ipv6Header(int tcpLength) {
    byte[] h = new byte[40];
    h[0] = 0x60;
    put16(h, 4, tcpLength);
    h[6] = 6;
    h[7] = 64;
    System.arraycopy(src, 0, h, 8, 16);
    System.arraycopy(dst, 0, h, 24, 16);
    return h;
  }

  /** The Internet checksum (RFC 1071) over two byte arrays laid end to end. */
  private static int checksum(byte[] first, byte[] second) {
    long sum = 0;
    byte[] all = new byte[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    for (int i = 0; i < all.length; i += 2) {
      int hi = all[i] & 0xff;
      int lo = i + 1 < all.length ? all[i + 1] & 0xff : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }

  private static void put32(byte[] b, int at, long v) {
    b[at] = (byte) (v >> 24);
    b[at + 1] = (byte) (v >> 16);
    b[at + 2] = (byte) (v >> 8);
    b[at + 3] = (byte) v;
  }
}
