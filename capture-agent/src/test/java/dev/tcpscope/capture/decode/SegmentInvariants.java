package dev.tcpscope.capture.decode;

/** What every decoded segment must satisfy, whatever bytes it came from. */
public final class SegmentInvariants {
  private SegmentInvariants() {}

  /** Null when the segment is sane, else what is wrong with it. */
  public static String violation(DecodedSegment s) {
    if (s.ipVersion != 4 && s.ipVersion != 6) {
      return "IP version " + s.ipVersion;
    }
    if (s.optionsLength < 0 || s.optionsLength > 40 || s.optionsOffset < 0
        || s.optionsOffset + s.optionsLength > s.frame.length) {
      return "options at " + s.optionsOffset + "+" + s.optionsLength + " outside the frame";
    }
    if (s.capturedPayload < 0 || s.capturedPayload > s.payloadLength
        || s.payloadOffset + s.capturedPayload > s.frame.length) {
      return "captured payload " + s.capturedPayload + " at " + s.payloadOffset
          + " (payload length " + s.payloadLength + ")";
    }
    if (s.srcPort < 0 || s.srcPort > 0xffff || s.dstPort < 0 || s.dstPort > 0xffff
        || s.seq < 0 || s.seq > 0xffffffffL || s.ack < 0 || s.ack > 0xffffffffL
        || s.window < 0 || s.window > 0xffff || s.flags < 0 || s.flags > 0x1ff) {
      return "a header field out of its range";
    }
    return null;
  }
}
