package dev.tcpscope.capture.decode;

/**
 * Decodes a captured frame down to its TCP header by reading fields at offsets, in the
 * manner of gopacket's DecodingLayerParser: no object per layer, no allocation per packet,
 * and never an exception for any input (every bound is checked against the captured length).
 *
 * <p>Reads link types Ethernet (II, or 802.3 with LLC/SNAP; with stacked 802.1Q/802.1ad tags,
 * VN-Tag, Cisco FabricPath, MPLS label stacks and PPPoE sessions), Linux cooked v1 and v2, raw
 * IP, BSD null and loop, FDDI (LLC/SNAP);
 * IPv4 with options and fragments; IPv6 with hop-by-hop, routing, destination-options and
 * fragment extension headers. Tunnels are decapsulated so the inner TCP connection is the one
 * tracked, as Zeek does: IP-in-IP (4, 41), GRE (with ERSPAN and transparent Ethernet
 * bridging), VXLAN, Geneve, GTP-U, Teredo and GRE over UDP, at most {@value #MAX_ENCAPSULATIONS}
 * levels deep. A snap-length-truncated packet still yields a segment when its TCP header is
 * whole: payload length comes from the IP header.
 */
public final class FrameDecoder {

  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88A8;
  private static final int ETHERTYPE_QINQ_OLD = 0x9100;

  private static final int ETHERTYPE_MPLS = 0x8847;
  private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
  private static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
  private static final int ETHERTYPE_FABRICPATH = 0x8903;
  private static final int ETHERTYPE_VNTAG = 0x8926;
  private static final int ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;
  private static final int ETHERTYPE_ERSPAN_2 = 0x88BE;
  private static final int ETHERTYPE_ERSPAN_3 = 0x22EB;
  private static final int MAX_8023_LENGTH = 1500;
  private static final int LLC_SAP_SNAP = 0xAA;
  private static final int LLC_UI = 0x03;

  private static final int PROTO_IPIP = 4;
  private static final int PROTO_TCP = 6;
  private static final int PROTO_UDP = 17;
  private static final int PROTO_IPV6 = 41;
  private static final int PROTO_GRE = 47;

  private static final int PORT_VXLAN = 4789;
  private static final int PORT_VXLAN_LINUX = 8472;
  private static final int PORT_GENEVE = 6081;
  private static final int PORT_GTP_U = 2152;
  private static final int PORT_TEREDO = 3544;
  private static final int PORT_GRE_OVER_UDP = 4754;

  /** Tunnels nested deeper than this are not followed (a crafted loop cannot recurse forever). */
  static final int MAX_ENCAPSULATIONS = 8;
  private static final int IPV6_HOP_BY_HOP = 0;
  private static final int IPV6_ROUTING = 43;
  private static final int IPV6_FRAGMENT = 44;
  private static final int IPV6_DEST_OPTIONS = 60;

  /** BSD address families for IPv6 differ per OS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
  private static final int AF_INET = 2;

  private static final int TCP_HEADER_MIN = 20;

  /** Tunnel headers passed in the frame being decoded. */
  private int encapsulations;

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
    encapsulations = 0;
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
      case LinkType.FDDI:
        // Frame control (1), destination (6), source (6), then 802.2 LLC.
        if (end - offset < 13) {
          return DecodeResult.L2_ERROR;
        }
        return llc(frame, offset + 13, end, out);
      default:
        return DecodeResult.UNSUPPORTED_LINK;
    }
  }

  private DecodeResult ethernet(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 14) {
      return DecodeResult.L2_ERROR;
    }
    int typeOrLength = u16(b, at + 12);
    // Up to 1500 it is an IEEE 802.3 length, and an 802.2 LLC header follows.
    return typeOrLength <= MAX_8023_LENGTH
        ? llc(b, at + 14, end, out)
        : byEtherType(typeOrLength, b, at + 14, end, out);
  }

  /**
   * 802.2 LLC: only SNAP (DSAP and SSAP 0xAA, UI frame) carries an EtherType (after a 3-byte
   * organisation code); other service access points (spanning tree, NetBIOS, IPX) are not IP.
   */
  private DecodeResult llc(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 3) {
      return DecodeResult.L2_ERROR;
    }
    if ((b[at] & 0xff) != LLC_SAP_SNAP || (b[at + 1] & 0xff) != LLC_SAP_SNAP
        || (b[at + 2] & 0xff) != LLC_UI) {
      return DecodeResult.NOT_IP;
    }
    if (end - at < 8) {
      return DecodeResult.L2_ERROR;
    }
    return byEtherType(u16(b, at + 6), b, at + 8, end, out);
  }

  private DecodeResult byEtherType(int etherType, byte[] b, int at, int end, DecodedSegment out) {
    while (true) {
      switch (etherType) {
        case ETHERTYPE_IPV4:
          return ipv4(b, at, end, out);
        case ETHERTYPE_IPV6:
          return ipv6(b, at, end, out);
        case ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD:
          // 802.1Q, 802.1ad and QinQ stacks: each tag is TCI (2) + inner EtherType (2).
          if (end - at < 4) {
            return DecodeResult.L2_ERROR;
          }
          etherType = u16(b, at + 2);
          at += 4;
          break;
        case ETHERTYPE_VNTAG:
          if (end - at < 6) {
            return DecodeResult.L2_ERROR;
          }
          etherType = u16(b, at + 4);
          at += 6;
          break;
        case ETHERTYPE_FABRICPATH:
          // FTag/TTL (2), then the whole inner Ethernet frame.
          return tunnelled() ? ethernet(b, at + 2, end, out) : DecodeResult.NOT_TCP;
        case ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST:
          return mpls(b, at, end, out);
        case ETHERTYPE_PPPOE_SESSION:
          return pppoe(b, at, end, out);
        default:
          return DecodeResult.NOT_IP;
      }
    }
  }

  /** MPLS: labels up to the bottom of the stack, then IP (by its version) or a pseudowire. */
  private DecodeResult mpls(byte[] b, int at, int end, DecodedSegment out) {
    for (int labels = 0; ; labels++) {
      if (end - at < 4 || labels > 16) {
        return DecodeResult.L2_ERROR;
      }
      boolean bottom = (b[at + 2] & 0x01) != 0;
      at += 4;
      if (bottom) {
        break;
      }
    }
    if (end - at < 1) {
      return DecodeResult.L2_ERROR;
    }
    int nibble = (b[at] & 0xff) >>> 4;
    if (nibble == 4 || nibble == 6) {
      return ipByVersion(b, at, end, out);
    }
    // An Ethernet pseudowire behind a control word (first nibble 0).
    return nibble == 0 && tunnelled() ? ethernet(b, at + 4, end, out) : DecodeResult.NOT_IP;
  }

  /** PPPoE session: 6-byte PPPoE header, then PPP's protocol field. */
  private DecodeResult pppoe(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 8) {
      return DecodeResult.L2_ERROR;
    }
    return ppp(u16(b, at + 6), b, at + 8, end, out);
  }

  private DecodeResult ppp(int protocol, byte[] b, int at, int end, DecodedSegment out) {
    if (protocol == 0x0021) {
      return ipv4(b, at, end, out);
    }
    if (protocol == 0x0057) {
      return ipv6(b, at, end, out);
    }
    return DecodeResult.NOT_IP;
  }

  /** Counts one more tunnel level; false when the frame nests too deep to follow. */
  private boolean tunnelled() {
    return ++encapsulations <= MAX_ENCAPSULATIONS;
  }

  /** A protocol carried in IP that is not TCP: a tunnel to open, or not ours. */
  private DecodeResult carried(int protocol, byte[] b, int at, int end, DecodedSegment out) {
    switch (protocol) {
      case PROTO_IPIP:
        return tunnelled() ? ipv4(b, at, end, out) : DecodeResult.NOT_TCP;
      case PROTO_IPV6:
        return tunnelled() ? ipv6(b, at, end, out) : DecodeResult.NOT_TCP;
      case PROTO_GRE:
        return tunnelled() ? gre(b, at, end, out) : DecodeResult.NOT_TCP;
      case PROTO_UDP:
        return udp(b, at, end, out);
      default:
        return DecodeResult.NOT_TCP;
    }
  }

  private DecodeResult gre(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 4) {
      return DecodeResult.NOT_TCP;
    }
    int flags = u16(b, at);
    int protocol = u16(b, at + 2);
    int version = flags & 0x7;
    int header = 4;
    if (version == 0) {
      header += ((flags & 0x8000) != 0 || (flags & 0x4000) != 0 ? 4 : 0) // checksum/routing
          + ((flags & 0x2000) != 0 ? 4 : 0) // key
          + ((flags & 0x1000) != 0 ? 4 : 0); // sequence number
    } else if (version == 1) {
      // Enhanced GRE (PPTP): key always, sequence and acknowledgement optional; carries PPP.
      header += 4 + ((flags & 0x1000) != 0 ? 4 : 0) + ((flags & 0x0080) != 0 ? 4 : 0);
    } else {
      return DecodeResult.NOT_TCP;
    }
    at += header;
    if (end - at < 0) {
      return DecodeResult.NOT_TCP;
    }
    switch (protocol) {
      case ETHERTYPE_TRANSPARENT_ETHERNET:
        return ethernet(b, at, end, out);
      case ETHERTYPE_ERSPAN_2:
        // ERSPAN type II: an 8-byte header when GRE carries a sequence number (else none).
        return ethernet(b, at + ((flags & 0x1000) != 0 ? 8 : 0), end, out);
      case ETHERTYPE_ERSPAN_3:
        if (end - at < 12) {
          return DecodeResult.NOT_TCP;
        }
        return ethernet(b, at + 12 + ((b[at + 11] & 0x01) != 0 ? 8 : 0), end, out);
      case 0x880B:
        // PPP in enhanced GRE: optional address/control 0xFF03, then a 1- or 2-byte protocol.
        if (end - at >= 2 && (b[at] & 0xff) == 0xff && (b[at + 1] & 0xff) == 0x03) {
          at += 2;
        }
        if (end - at < 1) {
          return DecodeResult.NOT_TCP;
        }
        if ((b[at] & 0x01) != 0) {
          return ppp(b[at] & 0xff, b, at + 1, end, out);
        }
        return end - at < 2 ? DecodeResult.NOT_TCP : ppp(u16(b, at), b, at + 2, end, out);
      default:
        return byEtherType(protocol, b, at, end, out);
    }
  }

  private DecodeResult udp(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 8) {
      return DecodeResult.NOT_TCP;
    }
    int src = u16(b, at);
    int dst = u16(b, at + 2);
    int payload = at + 8;
    if (isPort(PORT_VXLAN, src, dst) || isPort(PORT_VXLAN_LINUX, src, dst)) {
      // VXLAN: 8-byte header with the I flag, then Ethernet.
      if (end - payload < 8 || (b[payload] & 0x08) == 0 || !tunnelled()) {
        return DecodeResult.NOT_TCP;
      }
      return ethernet(b, payload + 8, end, out);
    }
    if (isPort(PORT_GENEVE, src, dst)) {
      if (end - payload < 8 || !tunnelled()) {
        return DecodeResult.NOT_TCP;
      }
      int options = (b[payload] & 0x3f) * 4;
      int protocol = u16(b, payload + 2);
      int inner = payload + 8 + options;
      return protocol == ETHERTYPE_TRANSPARENT_ETHERNET
          ? ethernet(b, inner, end, out)
          : byEtherType(protocol, b, inner, end, out);
    }
    if (isPort(PORT_GTP_U, src, dst)) {
      return gtpUser(b, payload, end, out);
    }
    if (isPort(PORT_TEREDO, src, dst)) {
      return teredo(b, payload, end, out);
    }
    if (isPort(PORT_GRE_OVER_UDP, src, dst)) {
      return tunnelled() ? gre(b, payload, end, out) : DecodeResult.NOT_TCP;
    }
    return DecodeResult.NOT_TCP;
  }

  private static boolean isPort(int port, int src, int dst) {
    return src == port || dst == port;
  }

  /** GTP-U (version 1) G-PDU: header, optional fields and extension headers, then IP. */
  private DecodeResult gtpUser(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 8 || !tunnelled()) {
      return DecodeResult.NOT_TCP;
    }
    int flags = b[at] & 0xff;
    if ((flags >>> 5) != 1 || (b[at + 1] & 0xff) != 0xff) {
      return DecodeResult.NOT_TCP; // not version 1, or a signalling message
    }
    int p = at + 8;
    if ((flags & 0x07) != 0) {
      if (end - p < 4) {
        return DecodeResult.NOT_TCP;
      }
      int next = b[p + 3] & 0xff;
      p += 4;
      while ((flags & 0x04) != 0 && next != 0) {
        if (end - p < 1) {
          return DecodeResult.NOT_TCP;
        }
        int length = (b[p] & 0xff) * 4;
        if (length == 0 || end - p < length) {
          return DecodeResult.NOT_TCP;
        }
        next = b[p + length - 1] & 0xff;
        p += length;
      }
    }
    return ipByVersion(b, p, end, out);
  }

  /** Teredo: IPv6 in UDP, possibly behind an origin indication (8 bytes). */
  private DecodeResult teredo(byte[] b, int at, int end, DecodedSegment out) {
    if (end - at < 40 || !tunnelled()) {
      return DecodeResult.NOT_TCP;
    }
    if (b[at] == 0 && b[at + 1] == 0) {
      at += 8;
    }
    return end - at >= 1 && (b[at] & 0xf0) == 0x60 ? ipv6(b, at, end, out) : DecodeResult.NOT_TCP;
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
    int ipEnd = totalLength == 0 ? end : Math.min(end, at + totalLength);
    if ((b[at + 9] & 0xff) != PROTO_TCP) {
      return carried(b[at + 9] & 0xff, b, at + headerLength, ipEnd, out);
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
      } else if (next == PROTO_IPIP || next == PROTO_IPV6 || next == PROTO_GRE
          || next == PROTO_UDP) {
        int ipEnd = lengthUnknown ? end : Math.min(end, p + remaining);
        return p > end ? DecodeResult.IP_ERROR : carried(next, b, p, ipEnd, out);
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
