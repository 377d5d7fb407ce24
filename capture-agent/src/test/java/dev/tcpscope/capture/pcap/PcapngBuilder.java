package dev.tcpscope.capture.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes pcapng blocks by hand, in either byte order, so the reader is tested against the
 * format's layout (IETF draft-ietf-opsawg-pcapng) rather than against another writer.
 */
final class PcapngBuilder {
  static final int SECTION_HEADER = 0x0A0D0D0A;
  static final int INTERFACE_DESCRIPTION = 1;
  static final int OBSOLETE_PACKET = 2;
  static final int SIMPLE_PACKET = 3;
  static final int NAME_RESOLUTION = 4;
  static final int INTERFACE_STATISTICS = 5;
  static final int ENHANCED_PACKET = 6;
  static final int OPTION_IF_NAME = 2;
  static final int OPTION_IF_TSRESOL = 9;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ByteOrder order;

  PcapngBuilder(ByteOrder order) {
    this.order = order;
  }

  /** Starts a section: every block after it is written in {@code sectionOrder}. */
  PcapngBuilder sectionHeader(ByteOrder sectionOrder) {
    order = sectionOrder;
    ByteBuffer body = buffer(16);
    body.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
    return block(SECTION_HEADER, body.array());
  }

  PcapngBuilder sectionHeader() {
    return sectionHeader(order);
  }

  PcapngBuilder interfaceDescription(int linkType, int snapLength, byte[]... options) {
    byte[] opts = optionList(options);
    ByteBuffer body = buffer(8 + opts.length);
    body.putShort((short) linkType).putShort((short) 0).putInt(snapLength).put(opts);
    return block(INTERFACE_DESCRIPTION, body.array());
  }

  PcapngBuilder enhancedPacket(int iface, long timestamp, byte[] data, int wireLength) {
    return enhancedPacket(iface, timestamp, data, data.length, wireLength);
  }

  /** An EPB whose captured-length field may lie about the data that follows. */
  PcapngBuilder enhancedPacket(int iface, long timestamp, byte[] data, int capturedField, int wireLength) {
    byte[] padded = padded(data);
    ByteBuffer body = buffer(20 + padded.length);
    body.putInt(iface).putInt((int) (timestamp >>> 32)).putInt((int) timestamp)
        .putInt(capturedField).putInt(wireLength).put(padded);
    return block(ENHANCED_PACKET, body.array());
  }

  PcapngBuilder obsoletePacket(int iface, long timestamp, byte[] data, int wireLength) {
    byte[] padded = padded(data);
    ByteBuffer body = buffer(20 + padded.length);
    body.putShort((short) iface).putShort((short) 0)
        .putInt((int) (timestamp >>> 32)).putInt((int) timestamp)
        .putInt(data.length).putInt(wireLength).put(padded);
    return block(OBSOLETE_PACKET, body.array());
  }

  PcapngBuilder simplePacket(byte[] data, int wireLength) {
    byte[] padded = padded(data);
    ByteBuffer body = buffer(4 + padded.length);
    body.putInt(wireLength).put(padded);
    return block(SIMPLE_PACKET, body.array());
  }

  /** Any block with an opaque body (name resolution, statistics, custom). */
  PcapngBuilder block(int type, byte[] body) {
    int length = 12 + padded(body).length;
    ByteBuffer block = buffer(length);
    block.putInt(type).putInt(length).put(padded(body)).putInt(length);
    out.writeBytes(block.array());
    return this;
  }

  /** Raw bytes, for damage the block methods would not write. */
  PcapngBuilder raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  byte[] option(int code, byte[] value) {
    ByteBuffer o = buffer(4 + padded(value).length);
    o.putShort((short) code).putShort((short) value.length).put(padded(value));
    return o.array();
  }

  byte[] ifName(String name) {
    return option(OPTION_IF_NAME, name.getBytes(StandardCharsets.UTF_8));
  }

  byte[] ifTsresol(int resolution) {
    return option(OPTION_IF_TSRESOL, new byte[] {(byte) resolution});
  }

  private byte[] optionList(byte[]... options) {
    if (options.length == 0) {
      return new byte[0];
    }
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (byte[] option : options) {
      list.writeBytes(option);
    }
    list.writeBytes(new byte[4]); // opt_endofopt
    return list.toByteArray();
  }

  private ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(order);
  }

  private static byte[] padded(byte[] data) {
    byte[] p = new byte[(data.length + 3) & ~3];
    System.arraycopy(data, 0, p, 0, data.length);
    return p;
  }
}
