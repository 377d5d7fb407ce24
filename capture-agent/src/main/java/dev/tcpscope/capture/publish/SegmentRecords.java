package dev.tcpscope.capture.publish;

import dev.tcpscope.capture.decode.DecodedSegment;
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
    int byAddress = Arrays.compareUnsigned(ipA, 0, length, ipB, 0, length);
    return byAddress != 0 ? byAddress : Integer.compare(portA, portB);
  }

  public ConnectionKey key(DecodedSegment s) {
    int length = s.addressLength();
    ByteBuffer src = ByteBuffer.wrap(Arrays.copyOf(s.srcIp, length));
    ByteBuffer dst = ByteBuffer.wrap(Arrays.copyOf(s.dstIp, length));
    boolean senderIsLow = compareEndpoints(s.srcIp, s.srcPort, s.dstIp, s.dstPort, length) <= 0;
    return senderIsLow
        ? new ConnectionKey(src, s.srcPort, dst, s.dstPort)
        : new ConnectionKey(dst, s.dstPort, src, s.srcPort);
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
