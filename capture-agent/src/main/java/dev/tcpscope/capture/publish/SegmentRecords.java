package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.schemas.serde.ConnectionKeys;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns a decoded segment into its Kafka key and value. The only place that knows the
 * canonical ordering of a connection's endpoints: the lower (address bytes unsigned, then
 * port) first, so both directions share one key, as gopacket's symmetric flow hash does.
 */
public final class SegmentRecords {
  private final String observer;
  private final String source;

  public SegmentRecords(String observer, String source) {
    this.observer = observer;
    this.source = source;
  }

  public String observer() {
    return observer;
  }

  public String source() {
    return source;
  }

  /** Negative when the segment's sender is the lower endpoint of the connection. */
  public static int compareEndpoints(byte[] ipA, int portA, byte[] ipB, int portB, int length) {
    return ConnectionKeys.compare(ipA, portA, ipB, portB, length);
  }

  public ConnectionKey key(DecodedSegment s) {
    int length = s.addressLength();
    return ConnectionKeys.of(Arrays.copyOf(s.srcIp, length), s.srcPort,
        Arrays.copyOf(s.dstIp, length), s.dstPort);
  }

  public TcpSegment value(DecodedSegment s) {
    return TcpSegment.newBuilder()
        .setObserver(observer)
        .setSource(source)
        .setTsUs(s.tsUs)
        .setSrcIp(ByteBuffer.wrap(s.srcAddress()))
        .setSrcPort(s.srcPort)
        .setDstIp(ByteBuffer.wrap(s.dstAddress()))
        .setDstPort(s.dstPort)
        .setSeq(s.seq)
        .setAck(s.ack)
        .setFlags(s.flags)
        .setWindow(s.window)
        .setPayloadLength(s.payloadLength)
        .setFrameLength(s.frameLength)
        .setFragmented(s.fragmented)
        .setOptions(ByteBuffer.wrap(s.options()))
        .setPayloadCaptured(s.capturedPayload < s.payloadLength ? s.capturedPayload : null)
        .setHttpLine(s.httpLine)
        .build();
  }
}
