package dev.tcpscope.session.wire;

import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.Segment;
import java.nio.ByteBuffer;

/** An Avro segment from the topic into the engine's reused input, copying fields only. */
public final class TcpSegmentMapper {
  private TcpSegmentMapper() {}

  /**
   * @throws IllegalArgumentException when the record's addresses are not 4 or 16 bytes, or differ
   */
  public static void copy(TcpSegment from, Segment to) {
    ByteBuffer src = from.getSrcIp();
    ByteBuffer dst = from.getDstIp();
    int length = src.remaining();
    if ((length != 4 && length != 16) || dst.remaining() != length) {
      throw new IllegalArgumentException(
          "segment with addresses of " + length + " and " + dst.remaining() + " bytes");
    }
    to.addressLength = length;
    src.duplicate().get(to.srcIp, 0, length);
    dst.duplicate().get(to.dstIp, 0, length);
    to.tsUs = from.getTsUs();
    to.srcPort = from.getSrcPort();
    to.dstPort = from.getDstPort();
    to.seq = from.getSeq();
    to.ack = from.getAck();
    to.flags = from.getFlags();
    to.window = from.getWindow();
    to.payloadLength = from.getPayloadLength();
    Integer captured = from.getPayloadCaptured();
    to.payloadTruncated = captured != null && captured < to.payloadLength;
    to.badChecksum = false;
    CharSequence http = from.getHttpLine();
    to.httpLine = http == null ? null : http.toString();
    to.frameLength = from.getFrameLength();
    to.fragmented = from.getFragmented();
    ByteBuffer options = from.getOptions();
    int optionsLength = options.remaining();
    if (to.options.length < optionsLength) {
      to.options = new byte[Math.max(optionsLength, 40)];
    }
    options.duplicate().get(to.options, 0, optionsLength);
    to.optionsOffset = 0;
    to.optionsLength = optionsLength;
  }
}
