package dev.tcpscope.capture.decode;

import java.util.Arrays;

/**
 * Byte surgery on frames built by {@code TcpFrameBuilder} (always Ethernet II): re-wraps the
 * IP packet in another link-layer header, inserts VLAN tags, IP options and extension headers.
 */
final class Frames {
  private Frames() {}

  static final int ETHERNET_HEADER = 14;
  static final int ETHERTYPE_OFFSET = 12;

  /** The IP packet inside an Ethernet frame: what a RAW capture holds. */
  static byte[] ipPacket(byte[] ethernet) {
    return Arrays.copyOfRange(ethernet, ETHERNET_HEADER, ethernet.length);
  }

  static int etherType(byte[] ethernet) {
    return u16(ethernet, ETHERTYPE_OFFSET);
  }

  /** One 802.1Q tag (TPID 0x8100) in front of the frame's EtherType. */
  static byte[] withVlanTag(byte[] ethernet, int vlanId) {
    return insert(ethernet, ETHERTYPE_OFFSET, tag(0x8100, vlanId));
  }

  /** An 802.1ad service tag (0x88a8) outside an 802.1Q customer tag (0x8100). */
  static byte[] withQinQTags(byte[] ethernet, int serviceVlan, int customerVlan) {
    return insert(ethernet, ETHERTYPE_OFFSET, concat(tag(0x88a8, serviceVlan), tag(0x8100, customerVlan)));
  }

  static byte[] tag(int tpid, int vlanId) {
    return new byte[] {(byte) (tpid >> 8), (byte) tpid, (byte) (vlanId >> 8), (byte) vlanId};
  }

  /** Linux cooked v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
  static byte[] linuxSll(byte[] ethernet) {
    byte[] header = new byte[16];
    put16(header, 0, 0); // sent to us
    put16(header, 2, 1); // ARPHRD_ETHER
    put16(header, 4, 6);
    System.arraycopy(ethernet, 6, header, 6, 6); // the sender's MAC
    put16(header, 14, etherType(ethernet));
    return concat(header, ipPacket(ethernet));
  }

  /** Linux cooked v2: protocol, reserved, interface index, ARPHRD, packet type, address. */
  static byte[] linuxSll2(byte[] ethernet) {
    byte[] header = new byte[20];
    put16(header, 0, etherType(ethernet));
    put32(header, 4, 3); // interface index
    put16(header, 8, 1); // ARPHRD_ETHER
    header[10] = 4; // outgoing
    header[11] = 6;
    System.arraycopy(ethernet, 6, header, 12, 6);
    return concat(header, ipPacket(ethernet));
  }

  /** BSD NULL: the address family in the capturing host's (here little-endian) byte order. */
  static byte[] bsdNull(byte[] ethernet, int family) {
    return concat(new byte[] {(byte) family, 0, 0, 0}, ipPacket(ethernet));
  }

  /** OpenBSD LOOP: the address family in network byte order. */
  static byte[] bsdLoop(byte[] ethernet, int family) {
    return concat(new byte[] {0, 0, 0, (byte) family}, ipPacket(ethernet));
  }

  /** 802.2 LLC with a SNAP header (AA AA 03, organisation 00-00-00) and the EtherType. */
  static byte[] llcSnap(byte[] ethernet) {
    byte[] header = {(byte) 0xaa, (byte) 0xaa, 0x03, 0, 0, 0, 0, 0};
    put16(header, 6, etherType(ethernet));
    return concat(header, ipPacket(ethernet));
  }

  /** IEEE 802.3: the type field holds the length of what follows, an LLC/SNAP header first. */
  static byte[] ieee8023(byte[] ethernet) {
    byte[] llc = llcSnap(ethernet);
    byte[] header = Arrays.copyOf(ethernet, ETHERNET_HEADER);
    put16(header, ETHERTYPE_OFFSET, llc.length);
    return concat(header, llc);
  }

  /** FDDI as libpcap records it: frame control 0x50 (async LLC), two MACs, then LLC/SNAP. */
  static byte[] fddi(byte[] ethernet) {
    byte[] header = new byte[13];
    header[0] = 0x50;
    System.arraycopy(ethernet, 0, header, 1, 12);
    return concat(header, llcSnap(ethernet));
  }

  static byte[] insert(byte[] frame, int at, byte[] inserted) {
    byte[] out = new byte[frame.length + inserted.length];
    System.arraycopy(frame, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(frame, at, out, at + inserted.length, frame.length - at);
    return out;
  }

  static byte[] concat(byte[] first, byte[] second) {
    byte[] out = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, out, first.length, second.length);
    return out;
  }

  static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }

  static void put32(byte[] b, int at, int v) {
    put16(b, at, v >>> 16);
    put16(b, at + 2, v);
  }
}
