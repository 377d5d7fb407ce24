package dev.tcpscope.capture.pcap;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reader of pcapng files: several sections and interfaces, each interface with its own link
 * type and timestamp resolution (if_tsresol), enhanced, simple and obsolete packet blocks.
 */
public final class PcapngFileReader implements CaptureFileReader {
  static final int SECTION_HEADER = 0x0A0D0D0A;
  private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
  private static final int INTERFACE_DESCRIPTION = 1;
  private static final int OBSOLETE_PACKET = 2;
  private static final int SIMPLE_PACKET = 3;
  private static final int ENHANCED_PACKET = 6;
  private static final int OPTION_TSRESOL = 9;

  private final ByteSource in;
  private boolean bigEndian;
  private int interfaceCount;
  private int[] linkTypes = new int[4];
  private int[] snapLengths = new int[4];
  /** Timestamp units per second of each interface (10^6 unless if_tsresol says otherwise). */
  private long[] unitsPerSecond = new long[4];

  private String damage;

  PcapngFileReader(ByteSource in) throws IOException {
    this.in = in;
    if (!in.require(12)) {
      throw new CaptureFormatException("pcapng section header is truncated");
    }
  }

  @Override
  public boolean next(CapturedFrame frame) throws IOException {
    while (damage == null && !in.atEnd()) {
      if (!in.require(12)) {
        damage = "last block header is truncated";
        return false;
      }
      int type = Bytes.i32le(in.buf, in.pos);
      if (type == SECTION_HEADER) {
        // The byte-order magic decides how this section's lengths are read.
        int magic = Bytes.i32le(in.buf, in.pos + 8);
        if (magic == BYTE_ORDER_MAGIC) {
          bigEndian = false;
        } else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
          bigEndian = true;
        } else {
          damage = "section header with an unknown byte-order magic";
          return false;
        }
        interfaceCount = 0;
      } else if (bigEndian) {
        type = Integer.reverseBytes(type);
      }
      int length = i32(in.pos + 4);
      if (length < 12 || length % 4 != 0 || length > ByteSource.MAX_RECORD) {
        damage = "block with impossible length " + Integer.toUnsignedString(length);
        return false;
      }
      if (!in.require(length)) {
        damage = "last block is truncated";
        return false;
      }
      int block = in.pos;
      in.pos += length;
      switch (type) {
        case INTERFACE_DESCRIPTION -> addInterface(block, length);
        case ENHANCED_PACKET -> {
          if (enhancedPacket(block, length, frame)) {
            return true;
          }
        }
        case SIMPLE_PACKET -> {
          if (simplePacket(block, length, frame)) {
            return true;
          }
        }
        case OBSOLETE_PACKET -> {
          if (obsoletePacket(block, length, frame)) {
            return true;
          }
        }
        default -> {
          // section header, statistics, name resolution, custom blocks: nothing to capture
        }
      }
    }
    return false;
  }

  private void addInterface(int block, int length) {
    if (length < 20) {
      return;
    }
    if (interfaceCount == linkTypes.length) {
      linkTypes = Arrays.copyOf(linkTypes, interfaceCount * 2);
      snapLengths = Arrays.copyOf(snapLengths, interfaceCount * 2);
      unitsPerSecond = Arrays.copyOf(unitsPerSecond, interfaceCount * 2);
    }
    linkTypes[interfaceCount] = u16(block + 8);
    snapLengths[interfaceCount] = i32(block + 12);
    long units = 1_000_000L;
    int option = block + 16;
    int optionsEnd = block + length - 4;
    while (option + 4 <= optionsEnd) {
      int code = u16(option);
      int optionLength = u16(option + 2);
      if (code == 0) {
        break;
      }
      if (code == OPTION_TSRESOL && optionLength >= 1 && option + 5 <= optionsEnd) {
        int resolution = in.buf[option + 4] & 0xff;
        int exponent = resolution & 0x7f;
        boolean powerOfTwo = (resolution & 0x80) != 0;
        if (powerOfTwo && exponent < 63) {
          units = 1L << exponent;
        } else if (!powerOfTwo && exponent <= 18) {
          units = 1;
          for (int i = 0; i < exponent; i++) {
            units *= 10;
          }
        }
      }
      option += 4 + ((optionLength + 3) & ~3);
    }
    unitsPerSecond[interfaceCount] = units;
    interfaceCount++;
  }

  private boolean enhancedPacket(int block, int length, CapturedFrame frame) {
    if (length < 32) {
      return false;
    }
    int iface = i32(block + 8);
    long ts = ((i32(block + 12) & 0xffffffffL) << 32) | (i32(block + 16) & 0xffffffffL);
    int captured = i32(block + 20);
    int wire = i32(block + 24);
    return fill(frame, iface, ts, block + 28, captured, wire, length - 32);
  }

  private boolean obsoletePacket(int block, int length, CapturedFrame frame) {
    if (length < 32) {
      return false;
    }
    int iface = u16(block + 8);
    long ts = ((i32(block + 12) & 0xffffffffL) << 32) | (i32(block + 16) & 0xffffffffL);
    int captured = i32(block + 20);
    int wire = i32(block + 24);
    return fill(frame, iface, ts, block + 28, captured, wire, length - 32);
  }

  private boolean simplePacket(int block, int length, CapturedFrame frame) {
    if (length < 16 || interfaceCount == 0) {
      return false;
    }
    int wire = i32(block + 8);
    int room = length - 16;
    int captured = Math.min(wire, Math.min(room, snapLengths[0] == 0 ? room : snapLengths[0]));
    // Simple packet blocks carry no timestamp.
    return fill(frame, 0, 0, block + 12, captured, wire, room);
  }

  private boolean fill(
      CapturedFrame frame, int iface, long ts, int data, int captured, int wire, int room) {
    if (iface < 0 || iface >= interfaceCount || captured < 0 || captured > room) {
      return false; // a packet of an undeclared interface or overrunning its block: skip it
    }
    long units = unitsPerSecond[iface];
    frame.linkType = linkTypes[iface];
    frame.tsUs =
        units == 1_000_000L
            ? ts
            : Math.floorDiv(ts, units) * 1_000_000L + Math.floorMod(ts, units) * 1_000_000L / units;
    frame.data = in.buf;
    frame.offset = data;
    frame.capturedLength = captured;
    frame.wireLength = Math.max(wire, captured);
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

  private int u16(int at) {
    return bigEndian ? Bytes.u16be(in.buf, at) : Bytes.u16le(in.buf, at);
  }
}
