package dev.tcpscope.capture.decode;

/**
 * Decodes a captured frame down to its TCP header by reading fields at offsets, in the
 * manner of gopacket's DecodingLayerParser: no object per layer, no allocation per packet,
 * and never an exception for any input (every bound is checked against the captured length).
 *
 * <p>Reads link types Ethernet (with stacked 802.1Q/802.1ad tags), Linux cooked v1 and v2,
 * raw IP, BSD null and loop; IPv4 with options and fragments; IPv6 with hop-by-hop, routing,
 * destination-options and fragment extension headers. A snap-length-truncated packet still
 * yields a segment when its TCP header is whole: payload length comes from the IP header.
 */
public final class FrameDecoder {

  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88A8;
  private static final int ETHERTYPE_QINQ_OLD = 0x9100;

  private static final int PROTO_TCP = 6;
  private static final int IPV6_HOP_BY_HOP = 0;
  private static final int IPV6_ROUTING = 43;
  private static final int IPV6_FRAGMENT = 44;
  private static final int IPV6_DEST_OPTIONS = 60;

  /** BSD address families for IPv6 differ per OS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
  private static final int AF_INET = 2;

  private static final int TCP_HEADER_MIN = 20;

  /**
   * Decodes one frame into {@code out}.
   *
   * @param linkType the capture's LINKTYPE_ value
   * @param frame the captured bytes; {@code capturedLength} of them from {@code offset} are valid
   * @param wireLength the frame's length on the wire
   * @return {@link DecodeResult#SEGMENT} when {@code out} holds a segment, otherwise why not
   */
  public DecodeResult decode(
      int linkType,
      byte[] frame,
      int offset,
      int capturedLength,
      int wireLength,
      long tsUs,
      DecodedSegment out) {
    // Compared by subtraction so that offset + capturedLength cannot overflow past the check.
    if (offset < 0 || capturedLength < 0 || capturedLength > frame.length - offset) {
      return DecodeResult.L2_ERROR;
    }
    int end = offset + capturedLength;
    out.tsUs = tsUs;
    out.frame = frame;
    out.frameLength = wireLength;
    switch (linkType) {
      case LinkType.ETHERNET:
        return ethernet(frame, offset, end, out);
      case LinkType.RAW:
      case LinkType.RAW_12:
      case LinkType.RAW_14:
        return ipByVersion(frame, offset, end, out);
      case LinkType.IPV4:
        return ipv4(frame, offset, end, out);
      case LinkType.IPV6:
        return ipv6(frame, offset, end, out);
      case LinkType.NULL:
      case LinkType.LOOP:
        return bsdLoopback(frame, offset, end, out);
      case LinkType.LINUX_SLL:
        if (end - offset < 16) {
          return DecodeResult.L2_ERROR;
        }
        return byEtherType(u16(frame, offset + 14), frame, offset + 16, end, out);
      case LinkType.LINUX_SLL2:
        if (end - offset < 20) {
          return DecodeResult.L2_ERROR;
        }
        return byEtherType(u16(frame, offset), frame, offset + 20, end, out);
      default:
        return DecodeResult.UNSUPPORTED_LINK;
    }
  }

  private DecodeResult ethernet(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 14) {
      return DecodeResult.L2_ERROR;
    }
    int etherType = u16(b, at + 12);
    at += 14;
    // 802.1Q, 802.1ad and QinQ stacks: each tag is TCI (2) + inner EtherType (2).
    while (etherType == ETHERTYPE_VLAN
        || etherType == ETHERTYPE_QINQ
        || etherType == ETHERTYPE_QINQ_OLD) {
      if (end - at < 4) {
        return DecodeResult.L2_ERROR;
      }
      etherType = u16(b, at + 2);
      at += 4;
    }
    return byEtherType(etherType, b, at, end, out);
  }

  private DecodeResult byEtherType(int etherType, byte[] b, int at, int end, DecodedSegment out) {
    if (etherType == ETHERTYPE_IPV4) {
      return ipv4(b, at, end, out);
    }
    if (etherType == ETHERTYPE_IPV6) {
      return ipv6(b, at, end, out);
    }
    return DecodeResult.NOT_IP;
  }

  private DecodeResult bsdLoopback(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 4) {
      return DecodeResult.L2_ERROR;
    }
    // The family is in the capturing host's byte order (NULL) or network order (LOOP); the
    // IP version nibble that follows tells us what it is either way.
    int family = b[at] == 0 ? b[at + 3] & 0xff : b[at] & 0xff;
    if (family != AF_INET && family != 24 && family != 28 && family != 30) {
      return DecodeResult.NOT_IP;
    }
    return ipByVersion(b, at + 4, end, out);
  }

  private DecodeResult ipByVersion(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 1) {
      return DecodeResult.IP_ERROR;
    }
    int version = (b[at] & 0xff) >>> 4;
    if (version == 4) {
      return ipv4(b, at, end, out);
    }
    if (version == 6) {
      return ipv6(b, at, end, out);
    }
    return DecodeResult.IP_ERROR;
  }

  private DecodeResult ipv4(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 20) {
      return DecodeResult.IP_ERROR;
    }
    int versionIhl = b[at] & 0xff;
    int headerLength = (versionIhl & 0x0f) * 4;
    int totalLength = u16(b, at + 2);
    // Total length 0 is a TSO/GRO capture (handled below), not an error.
    if (versionIhl >>> 4 != 4
        || headerLength < 20
        || (totalLength != 0 && totalLength < headerLength)) {
      return DecodeResult.IP_ERROR;
    }
    if (end - at < headerLength) {
      return DecodeResult.IP_ERROR;
    }
    int fragmentField = u16(b, at + 6);
    int fragmentOffset = fragmentField & 0x1fff;
    boolean moreFragments = (fragmentField & 0x2000) != 0;
    if (fragmentOffset != 0) {
      return (b[at + 9] & 0xff) == PROTO_TCP
          ? DecodeResult.NON_FIRST_FRAGMENT
          : DecodeResult.NOT_TCP;
    }
    if ((b[at + 9] & 0xff) != PROTO_TCP) {
      return DecodeResult.NOT_TCP;
    }
    out.ipVersion = 4;
    System.arraycopy(b, at + 12, out.srcIp, 0, 4);
    System.arraycopy(b, at + 16, out.dstIp, 0, 4);
    out.fragmented = moreFragments;
    // A TSO/GRO capture can carry total length 0; fall back to what was captured.
    int ipPayload = totalLength == 0 ? end - at - headerLength : totalLength - headerLength;
    return tcp(b, at + headerLength, end, ipPayload, out);
  }

  private DecodeResult ipv6(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 40) {
      return DecodeResult.IP_ERROR;
    }
    if ((b[at] & 0xff) >>> 4 != 6) {
      return DecodeResult.IP_ERROR;
    }
    int remaining = u16(b, at + 4); // bytes after the fixed header
    // Payload length 0: a jumbogram (its length is in a hop-by-hop option) or a TSO capture.
    boolean lengthUnknown = remaining == 0;
    int next = b[at + 6] & 0xff;
    System.arraycopy(b, at + 8, out.srcIp, 0, 16);
    System.arraycopy(b, at + 24, out.dstIp, 0, 16);
    out.ipVersion = 6;
    out.fragmented = false;
    int p = at + 40;
    // Walk the extension headers; each bound checked so a loop of headers cannot run past end.
    while (true) {
      if (next == PROTO_TCP) {
        break;
      }
      if (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DEST_OPTIONS) {
        if (end - p < 8) {
          return DecodeResult.IP_ERROR;
        }
        int length = ((b[p + 1] & 0xff) + 1) * 8;
        next = b[p] & 0xff;
        p += length;
        remaining -= length;
      } else if (next == IPV6_FRAGMENT) {
        if (end - p < 8) {
          return DecodeResult.IP_ERROR;
        }
        int offsetField = u16(b, p + 2);
        next = b[p] & 0xff;
        p += 8;
        remaining -= 8;
        if ((offsetField & 0xfff8) != 0) {
          return next == PROTO_TCP ? DecodeResult.NON_FIRST_FRAGMENT : DecodeResult.NOT_TCP;
        }
        out.fragmented = (offsetField & 1) != 0;
      } else {
        return DecodeResult.NOT_TCP;
      }
      if (p > end || (!lengthUnknown && remaining < 0)) {
        return DecodeResult.IP_ERROR;
      }
    }
    // Jumbograms (payload length 0) and TSO captures: take what was captured.
    int ipPayload = lengthUnknown ? end - p : remaining;
    return tcp(b, p, end, ipPayload, out);
  }

  private DecodeResult tcp(byte[] b, int at, int end, int ipPayload, DecodedSegment out) {
    if (end - at < TCP_HEADER_MIN || ipPayload < TCP_HEADER_MIN) {
      return DecodeResult.TCP_ERROR;
    }
    int headerLength = ((b[at + 12] & 0xff) >>> 4) * 4;
    if (headerLength < TCP_HEADER_MIN || headerLength > ipPayload || end - at < headerLength) {
      return DecodeResult.TCP_ERROR;
    }
    out.srcPort = u16(b, at);
    out.dstPort = u16(b, at + 2);
    out.seq = u32(b, at + 4);
    out.ack = u32(b, at + 8);
    out.flags = ((b[at + 12] & 0x01) << 8) | (b[at + 13] & 0xff);
    out.window = u16(b, at + 14);
    out.optionsOffset = at + TCP_HEADER_MIN;
    out.optionsLength = headerLength - TCP_HEADER_MIN;
    out.payloadOffset = at + headerLength;
    out.payloadLength = ipPayload - headerLength;
    out.capturedPayload = Math.min(out.payloadLength, end - out.payloadOffset);
    return DecodeResult.SEGMENT;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
