package dev.tcpscope.session.wire;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.Segment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads a single-object-encoded {@link TcpSegment} straight into the engine's reused {@link
 * Segment}, field by field from the Avro binary encoding, without building the Avro object:
 * the generic decoder allocated a dozen objects per record and was a sixth of the processor's
 * time. Records written with another version of the schema (another fingerprint) go through
 * Avro's own decoder, which resolves the schemas; so does everything when the schema has
 * fields this reader does not know ({@code TcpSegmentReaderTest} fails first).
 *
 * <p>Not thread safe: one per processor.
 */
public final class TcpSegmentReader {
  /** The fields this reader decodes, in the schema's order. */
  static final List<String> FIELDS = List.of("observer", "source", "ts_us", "src_ip", "src_port",
      "dst_ip", "dst_port", "seq", "ack", "flags", "window", "payload_length", "frame_length",
      "fragmented", "options", "payload_captured", "http_line");

  private final SingleObjectSerde<TcpSegment> avro = TcpscopeSerdes.tcpSegment();
  private final byte[] header = new byte[10];
  private final boolean fast;
  private final InternedText observers = new InternedText();
  private final InternedText sources = new InternedText();
  private byte[] data;
  private int at;
  private String observer;
  private String source;

  public TcpSegmentReader() {
    Schema schema = TcpSegment.getClassSchema();
    long print = org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
    header[0] = (byte) 0xC3;
    header[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (print >>> (8 * i));
    }
    fast = schema.getFields().stream().map(Schema.Field::name).toList().equals(FIELDS);
  }

  /** True when this reader decodes the current schema itself (not through Avro). */
  boolean fast() {
    return fast;
  }

  /** The observer of the segment read last. */
  public String observer() {
    return observer;
  }

  /** The source of the segment read last. */
  public String source() {
    return source;
  }

  /**
   * Decodes one record into {@code to}.
   *
   * @throws SerializationException when the bytes are not a TcpSegment record
   * @throws IllegalArgumentException when its addresses are not 4 or 16 bytes, or differ
   */
  public void read(byte[] record, Segment to) {
    if (!fast || record.length < 10 || !Arrays.equals(record, 0, 10, header, 0, 10)) {
      TcpSegment value = avro.decode(record);
      TcpSegmentMapper.copy(value, to);
      observer = value.getObserver();
      source = value.getSource();
      return;
    }
    data = record;
    at = 10;
    try {
      observer = readText(observers);
      source = readText(sources);
      to.tsUs = readLong();
      int srcLength = readBytes(to.srcIp, 16);
      to.srcPort = readInt();
      int dstLength = readBytes(to.dstIp, 16);
      to.dstPort = readInt();
      if ((srcLength != 4 && srcLength != 16) || dstLength != srcLength) {
        throw new IllegalArgumentException(
            "segment with addresses of " + srcLength + " and " + dstLength + " bytes");
      }
      to.addressLength = srcLength;
      to.seq = readLong();
      to.ack = readLong();
      to.flags = readInt();
      to.window = readInt();
      to.payloadLength = readInt();
      to.frameLength = readInt();
      to.fragmented = readBoolean();
      int optionsLength = (int) readLength();
      if (to.options.length < optionsLength) {
        to.options = new byte[Math.max(optionsLength, 40)];
      }
      require(optionsLength);
      System.arraycopy(data, at, to.options, 0, optionsLength);
      at += optionsLength;
      to.optionsOffset = 0;
      to.optionsLength = optionsLength;
      long captured = readUnion() ? readInt() : Long.MAX_VALUE;
      to.payloadTruncated = captured < to.payloadLength;
      to.badChecksum = false;
      // The HTTP line is rare (-m http, the first segment of a request or response): a
      // String then is fine.
      to.httpLine = readUnion() ? readString() : null;
    } finally {
      data = null;
    }
  }

  /** A ["null", T] union's branch: false for null, true for the value that follows. */
  private boolean readUnion() {
    long branch = readLong();
    if (branch != 0 && branch != 1) {
      throw truncated("a union branch of " + branch);
    }
    return branch == 1;
  }

  private String readString() {
    int length = (int) readLength();
    require(length);
    String text = new String(data, at, length, StandardCharsets.UTF_8);
    at += length;
    return text;
  }

  private String readText(InternedText cache) {
    int length = (int) readLength();
    require(length);
    String text = cache.of(data, at, length);
    at += length;
    return text;
  }

  private long readLength() {
    long length = readLong();
    if (length < 0 || length > data.length) {
      throw truncated("a length of " + length);
    }
    return length;
  }

  private int readBytes(byte[] into, int max) {
    int length = (int) readLength();
    require(length);
    if (length <= max) {
      System.arraycopy(data, at, into, 0, length);
    }
    at += length;
    return length;
  }

  private boolean readBoolean() {
    require(1);
    int b = data[at++];
    if (b != 0 && b != 1) {
      throw truncated("a boolean of " + b);
    }
    return b == 1;
  }

  private int readInt() {
    long v = readLong();
    if (v != (int) v) {
      throw truncated("an int out of range");
    }
    return (int) v;
  }

  /** Avro's zig-zag variable-length long. */
  private long readLong() {
    long raw = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      require(1);
      int b = data[at++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw truncated("a variable-length number over 10 bytes");
  }

  private void require(int bytes) {
    if (at + bytes > data.length) {
      throw truncated("the end of the record");
    }
  }

  private SerializationException truncated(String what) {
    return new SerializationException("not a single-object-encoded TcpSegment record: "
        + what + " at byte " + at + " of " + data.length);
  }

  /**
   * The few observer ids and sources a processor sees, decoded once: a small direct-mapped
   * cache from UTF-8 bytes to their String, so a record allocates no string.
   */
  private static final class InternedText {
    private final byte[][] keys = new byte[64][];
    private final String[] values = new String[64];
    /** The text returned last: most records come from the observer of the one before. */
    private byte[] lastKey;
    private String lastValue;

    String of(byte[] data, int offset, int length) {
      if (lastKey != null && lastKey.length == length
          && Arrays.equals(lastKey, 0, length, data, offset, offset + length)) {
        return lastValue;
      }
      int h = 1;
      for (int i = offset; i < offset + length; i++) {
        h = 31 * h + data[i];
      }
      int slot = (h ^ (h >>> 16)) & 63;
      byte[] key = keys[slot];
      if (key == null || !Arrays.equals(key, 0, key.length, data, offset, offset + length)) {
        keys[slot] = Arrays.copyOfRange(data, offset, offset + length);
        values[slot] = new String(data, offset, length, StandardCharsets.UTF_8);
      }
      lastKey = keys[slot];
      lastValue = values[slot];
      return lastValue;
    }
  }
}
