package dev.tcpscope.capture.decode;

import java.util.Arrays;

/**
 * The header facts of one TCP segment, filled in place by {@link FrameDecoder}. One instance
 * is reused for every packet (no per-packet object graph); copy what you keep.
 */
public final class DecodedSegment {
  public long tsUs;
  /** 4 or 6. */
  public int ipVersion;

  /** Sender address in its first 4 (IPv4) or 16 (IPv6) bytes. */
  public final byte[] srcIp = new byte[16];

  public final byte[] dstIp = new byte[16];
  public int srcPort;
  public int dstPort;
  /** Unsigned 32-bit sequence number. */
  public long seq;

  public long ack;
  /** Flag bits as on the wire, NS in bit 8. */
  public int flags;

  public int window;
  /** TCP payload bytes, from the IP header's lengths (not the captured length). */
  public int payloadLength;

  /** The frame's length on the wire. */
  public int frameLength;

  /** Carried in a fragmented IP packet (this is the first fragment). */
  public boolean fragmented;

  /** The frame buffer, and where the TCP options and captured payload lie in it. */
  public byte[] frame;

  public int optionsOffset;
  public int optionsLength;
  public int payloadOffset;
  /** Payload bytes actually captured (at most payloadLength). */
  public int capturedPayload;

  /**
   * The HTTP request or status line the payload begins with ({@link HttpFirstLine}), set by a
   * capture loop that publishes it (-m http); null otherwise. The decoder does not set it.
   */
  public String httpLine;

  public int addressLength() {
    return ipVersion == 4 ? 4 : 16;
  }

  public byte[] srcAddress() {
    return Arrays.copyOf(srcIp, addressLength());
  }

  public byte[] dstAddress() {
    return Arrays.copyOf(dstIp, addressLength());
  }

  public byte[] options() {
    return Arrays.copyOfRange(frame, optionsOffset, optionsOffset + optionsLength);
  }
}
