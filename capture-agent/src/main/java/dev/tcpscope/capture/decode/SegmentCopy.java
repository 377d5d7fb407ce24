package dev.tcpscope.capture.decode;

/** Copies a decoded segment into another, taking its own copy of the options bytes. */
public final class SegmentCopy {
  private SegmentCopy() {}

  /**
   * After this, {@code to} no longer refers to the source frame: its {@code frame} is its own
   * 40-byte options buffer (the most TCP allows), with the options at offset 0.
   */
  public static void copy(DecodedSegment from, DecodedSegment to) {
    to.tsUs = from.tsUs;
    to.ipVersion = from.ipVersion;
    System.arraycopy(from.srcIp, 0, to.srcIp, 0, 16);
    System.arraycopy(from.dstIp, 0, to.dstIp, 0, 16);
    to.srcPort = from.srcPort;
    to.dstPort = from.dstPort;
    to.seq = from.seq;
    to.ack = from.ack;
    to.flags = from.flags;
    to.window = from.window;
    to.payloadLength = from.payloadLength;
    to.frameLength = from.frameLength;
    to.fragmented = from.fragmented;
    if (to.frame == null || to.frame.length < 40) {
      to.frame = new byte[40];
    }
    int length = Math.min(from.optionsLength, 40);
    System.arraycopy(from.frame, from.optionsOffset, to.frame, 0, length);
    to.optionsOffset = 0;
    to.optionsLength = length;
    to.payloadOffset = 0; // the payload itself is not copied ...
    to.capturedPayload = from.capturedPayload; // ... but how much of it was captured is
    to.httpLine = from.httpLine;
  }
}
