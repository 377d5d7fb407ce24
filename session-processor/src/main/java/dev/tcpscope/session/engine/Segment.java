package dev.tcpscope.session.engine;

/**
 * The engine's input: one TCP segment's header facts. Mutable and reused by callers (one
 * instance per input loop), so feeding the engine allocates nothing per segment; the engine
 * copies what it keeps.
 */
public final class Segment {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;

  public long tsUs;
  /** Address length: 4 (IPv4) or 16 (IPv6). */
  public int addressLength = 4;

  public final byte[] srcIp = new byte[16];
  public final byte[] dstIp = new byte[16];
  public int srcPort;
  public int dstPort;
  public long seq;
  public long ack;
  public int flags;
  public int window;
  public int payloadLength;

  /**
   * Fewer payload bytes were captured than were sent (snap length): Zeek's reassembler never
   * gets them, so an acknowledgement of them is a content gap ({@code g}).
   */
  public boolean payloadTruncated;
  public int frameLength;
  public boolean fragmented;
  /** Raw TCP options: {@code optionsLength} bytes from {@code optionsOffset}. */
  public byte[] options = new byte[0];

  public int optionsOffset;
  public int optionsLength;

  /**
   * The TCP checksum is wrong: Zeek counts such a packet (history {@code c}) and otherwise
   * ignores it; miruo does not look. Capture hosts offload checksums, so agents leave this false;
   * the Zeek conformance test sets it for traces Zeek read with checksums verified.
   */
  public boolean badChecksum;

  /** The HTTP request or status line this segment begins with (-m http), or null. */
  public String httpLine;

  boolean has(int flag) {
    return (flags & flag) != 0;
  }
}
