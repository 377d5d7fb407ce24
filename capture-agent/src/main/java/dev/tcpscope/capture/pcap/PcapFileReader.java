package dev.tcpscope.capture.pcap;

import java.io.IOException;

/**
 * Reader of classic libpcap files: both byte orders, microsecond and nanosecond timestamps.
 * Pure Java, so {@code analyze} and {@code demo} need no native library.
 */
public final class PcapFileReader implements CaptureFileReader {
  static final int MAGIC_MICROS = 0xa1b2c3d4;
  static final int MAGIC_NANOS = 0xa1b23c4d;

  private final ByteSource in;
  private final boolean bigEndian;
  private final boolean nanos;
  private final int linkType;
  private String damage;

  PcapFileReader(ByteSource in) throws IOException {
    this.in = in;
    if (!in.require(24)) {
      throw new CaptureFormatException("pcap file header is truncated");
    }
    int magicBe = Bytes.i32be(in.buf, in.pos);
    int magicLe = Bytes.i32le(in.buf, in.pos);
    if (magicBe == MAGIC_MICROS || magicBe == MAGIC_NANOS) {
      bigEndian = true;
      nanos = magicBe == MAGIC_NANOS;
    } else if (magicLe == MAGIC_MICROS || magicLe == MAGIC_NANOS) {
      bigEndian = false;
      nanos = magicLe == MAGIC_NANOS;
    } else {
      throw new CaptureFormatException(
          String.format("not a pcap file (magic %08x)", magicBe));
    }
    // The link type's low 16 bits are the type; the upper bits may carry FCS information.
    linkType = i32(in.pos + 20) & 0xffff;
    in.pos += 24;
  }

  public int linkType() {
    return linkType;
  }

  @Override
  public boolean next(CapturedFrame frame) throws IOException {
    if (damage != null || in.atEnd()) {
      return false;
    }
    if (!in.require(16)) {
      damage = "last record header is truncated";
      return false;
    }
    long seconds = i32(in.pos) & 0xffffffffL;
    long fraction = i32(in.pos + 4) & 0xffffffffL;
    int captured = i32(in.pos + 8);
    int wire = i32(in.pos + 12);
    if (captured < 0 || captured > ByteSource.MAX_RECORD) {
      damage = "record with impossible captured length " + Integer.toUnsignedString(captured);
      return false;
    }
    if (!in.require(16 + captured)) {
      damage = "last record is truncated";
      return false;
    }
    frame.linkType = linkType;
    frame.tsUs = seconds * 1_000_000L + (nanos ? fraction / 1000 : fraction);
    frame.data = in.buf;
    frame.offset = in.pos + 16;
    frame.capturedLength = captured;
    frame.wireLength = Math.max(wire, captured);
    in.pos += 16 + captured;
    return true;
  }

  @Override
  public String damage() {
    return in.damage(damage);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private int i32(int at) {
    return bigEndian ? Bytes.i32be(in.buf, at) : Bytes.i32le(in.buf, at);
  }
}
