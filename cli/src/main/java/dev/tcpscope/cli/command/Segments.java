package dev.tcpscope.cli.command;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.HttpFirstLine;
import dev.tcpscope.session.engine.Segment;

/** Hands a decoded segment to the engine: field copies only, no allocation. */
public final class Segments {
  private Segments() {}

  public static void copy(DecodedSegment from, Segment to) {
    copy(from, to, false);
  }

  /** @param httpLines also take the HTTP request or status line the payload begins with */
  public static void copy(DecodedSegment from, Segment to, boolean httpLines) {
    to.tsUs = from.tsUs;
    to.addressLength = from.addressLength();
    System.arraycopy(from.srcIp, 0, to.srcIp, 0, to.addressLength);
    System.arraycopy(from.dstIp, 0, to.dstIp, 0, to.addressLength);
    to.srcPort = from.srcPort;
    to.dstPort = from.dstPort;
    to.seq = from.seq;
    to.ack = from.ack;
    to.flags = from.flags;
    to.window = from.window;
    to.payloadLength = from.payloadLength;
    to.payloadTruncated = from.capturedPayload < from.payloadLength;
    to.badChecksum = false; // not verified: capture hosts offload checksums
    to.frameLength = from.frameLength;
    to.fragmented = from.fragmented;
    to.options = from.frame;
    to.optionsOffset = from.optionsOffset;
    to.optionsLength = from.optionsLength;
    to.httpLine = httpLines && from.payloadLength > 0
        ? HttpFirstLine.of(from.frame, from.payloadOffset, from.capturedPayload) : null;
  }
}
