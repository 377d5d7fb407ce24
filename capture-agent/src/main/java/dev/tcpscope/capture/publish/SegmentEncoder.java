package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Writes a decoded segment straight into the single-object Avro encoding of its {@link
 * TcpSegment} value and {@link ConnectionKey} key, byte for byte what {@code SingleObjectSerde}
 * writes, without building the records: Avro's builders and datum writer cost several times
 * the rest of the agent's per-segment work (hot path; measured with {@code bench agent}).
 *
 * <p>It knows the schemas' field lists; {@link #supports()} is false when the generated
 * classes have other fields (a schema evolved), and the publisher then uses Avro itself.
 */
public final class SegmentEncoder {
  private static final String SEGMENT_FIELDS = "observer:STRING source:STRING ts_us:LONG"
      + " src_ip:BYTES src_port:INT dst_ip:BYTES dst_port:INT seq:LONG ack:LONG flags:INT"
      + " window:INT payload_length:INT frame_length:INT fragmented:BOOLEAN options:BYTES"
      + " payload_captured:UNION[NULL,INT] http_line:UNION[NULL,STRING]";
  private static final String KEY_FIELDS = "low_ip:BYTES low_port:INT high_ip:BYTES"
      + " high_port:INT";

  private final byte[] segmentHeader;
  private final byte[] keyHeader;
  private final byte[] observer;
  private final byte[] source;
  private final boolean supported;
  /** Scratch space for one value: header, two strings, the fixed fields, 40 option bytes. */
  private byte[] scratch;

  private int at;

  public SegmentEncoder(String observer, String source) {
    this.observer = observer.getBytes(StandardCharsets.UTF_8);
    this.source = source.getBytes(StandardCharsets.UTF_8);
    this.segmentHeader = header(TcpSegment.getClassSchema());
    this.keyHeader = header(ConnectionKey.getClassSchema());
    this.supported = SEGMENT_FIELDS.equals(fields(TcpSegment.getClassSchema()))
        && KEY_FIELDS.equals(fields(ConnectionKey.getClassSchema()));
    // Header, two strings, the fixed fields and unions (at most ~80 bytes), 40 option bytes.
    this.scratch = new byte[10 + 2 * 5 + this.observer.length + this.source.length + 160];
  }

  /** False when the schemas are not the ones this encoder writes (use Avro then). */
  public boolean supports() {
    return supported;
  }

  private static String fields(Schema schema) {
    List<Schema.Field> fields = schema.getFields();
    return fields.stream().map(f -> f.name() + ":" + type(f.schema()))
        .collect(Collectors.joining(" "));
  }

  private static String type(Schema schema) {
    return schema.getType() != Schema.Type.UNION ? schema.getType().name()
        : schema.getTypes().stream().map(t -> t.getType().name())
            .collect(Collectors.joining(",", "UNION[", "]"));
  }

  /** C3 01, then the schema's CRC-64-AVRO fingerprint, little-endian. */
  private static byte[] header(Schema schema) {
    long print = SchemaNormalization.parsingFingerprint64(schema);
    byte[] h = new byte[10];
    h[0] = (byte) 0xC3;
    h[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (print >>> (8 * i));
    }
    return h;
  }

  /** The encoded {@link TcpSegment}: a new array of exactly its length. */
  public byte[] value(DecodedSegment s) {
    at = 0;
    put(segmentHeader, 0, segmentHeader.length);
    bytes(observer, 0, observer.length);
    bytes(source, 0, source.length);
    varLong(s.tsUs);
    int length = s.addressLength();
    bytes(s.srcIp, 0, length);
    varLong(s.srcPort);
    bytes(s.dstIp, 0, length);
    varLong(s.dstPort);
    varLong(s.seq);
    varLong(s.ack);
    varLong(s.flags);
    varLong(s.window);
    varLong(s.payloadLength);
    varLong(s.frameLength);
    scratch[at++] = (byte) (s.fragmented ? 1 : 0);
    bytes(s.frame, s.optionsOffset, Math.min(s.optionsLength, 40));
    // Unions: the branch index (0 null, 1 the value), then the value.
    if (s.capturedPayload < s.payloadLength) {
      varLong(1);
      varLong(s.capturedPayload);
    } else {
      varLong(0);
    }
    if (s.httpLine == null) {
      varLong(0);
    } else {
      byte[] line = s.httpLine.getBytes(StandardCharsets.UTF_8); // only with -m http
      if (scratch.length - at < line.length + 16) {
        scratch = java.util.Arrays.copyOf(scratch, at + line.length + 16);
      }
      varLong(1);
      bytes(line, 0, line.length);
    }
    return java.util.Arrays.copyOf(scratch, at);
  }

  /** The encoded {@link ConnectionKey}, endpoints in the order {@link SegmentRecords} defines. */
  public byte[] key(DecodedSegment s) {
    at = 0;
    put(keyHeader, 0, keyHeader.length);
    int length = s.addressLength();
    boolean senderIsLow =
        SegmentRecords.compareEndpoints(s.srcIp, s.srcPort, s.dstIp, s.dstPort, length) <= 0;
    if (senderIsLow) {
      bytes(s.srcIp, 0, length);
      varLong(s.srcPort);
      bytes(s.dstIp, 0, length);
      varLong(s.dstPort);
    } else {
      bytes(s.dstIp, 0, length);
      varLong(s.dstPort);
      bytes(s.srcIp, 0, length);
      varLong(s.srcPort);
    }
    return java.util.Arrays.copyOf(scratch, at);
  }

  private void bytes(byte[] b, int offset, int length) {
    varLong(length);
    put(b, offset, length);
  }

  private void put(byte[] b, int offset, int length) {
    System.arraycopy(b, offset, scratch, at, length);
    at += length;
  }

  /** Avro's int and long: zig-zag, then 7 bits a byte, low first. */
  private void varLong(long v) {
    long n = (v << 1) ^ (v >> 63);
    while ((n & ~0x7FL) != 0) {
      scratch[at++] = (byte) ((n & 0x7F) | 0x80);
      n >>>= 7;
    }
    scratch[at++] = (byte) n;
  }
}
