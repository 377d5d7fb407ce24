package dev.tcpscope.capture.decode;

/** The pcap LINKTYPE_ values the decoder reads (https://www.tcpdump.org/linktypes.html). */
public final class LinkType {
  private LinkType() {}

  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  public static final int NULL = 0;

  public static final int ETHERNET = 1;
  /** FDDI: frame control and two MAC addresses, then 802.2 LLC/SNAP. */
  public static final int FDDI = 10;
  /** Raw IP as DLT_RAW on most systems. */
  public static final int RAW = 101;
  /** OpenBSD loopback: 4-byte address family in network order. */
  public static final int LOOP = 108;

  public static final int LINUX_SLL = 113;
  public static final int IPV4 = 228;
  public static final int IPV6 = 229;
  public static final int LINUX_SLL2 = 276;

  /** Raw IP as some old capture files (DLT_RAW numbered 12 or 14) record it. */
  public static final int RAW_12 = 12;

  public static final int RAW_14 = 14;

  public static String name(int linkType) {
    return switch (linkType) {
      case NULL -> "NULL";
      case ETHERNET -> "EN10MB";
      case FDDI -> "FDDI";
      case RAW, RAW_12, RAW_14 -> "RAW";
      case LOOP -> "LOOP";
      case LINUX_SLL -> "LINUX_SLL";
      case LINUX_SLL2 -> "LINUX_SLL2";
      case IPV4 -> "IPV4";
      case IPV6 -> "IPV6";
      default -> "LINKTYPE_" + linkType;
    };
  }
}
