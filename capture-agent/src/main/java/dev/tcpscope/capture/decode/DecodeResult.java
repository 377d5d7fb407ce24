package dev.tcpscope.capture.decode;

/**
 * What became of one captured frame: a TCP segment, or the reason it yielded none. The
 * reasons are miruo's header-error counters (L2, IP, TCP) plus the frames that are fine but
 * not ours (not IP, not TCP, a later IP fragment, a link type we do not read).
 */
public enum DecodeResult {
  /** The frame yielded a TCP segment. */
  SEGMENT,
  /** The link-layer header is shorter than it claims or malformed. */
  L2_ERROR,
  /** The IP header is truncated or inconsistent (bad version, header length, total length). */
  IP_ERROR,
  /** The TCP header is truncated or its data offset is impossible. */
  TCP_ERROR,
  /** The capture's link type is one the decoder does not read. */
  UNSUPPORTED_LINK,
  /** The frame carries something other than IPv4 or IPv6 (ARP, LLDP, ...). */
  NOT_IP,
  /** The IP packet carries another protocol than TCP. */
  NOT_TCP,
  /** A later fragment of a fragmented IP packet: counted, its bytes are not a TCP header. */
  NON_FIRST_FRAGMENT;

  private static final DecodeResult[] VALUES = values();

  /** All results, without copying (for counters indexed by ordinal). */
  public static DecodeResult[] all() {
    return VALUES;
  }
}
