package dev.tcpscope.session.engine;

/**
 * A segment kept by a session for display. Mutable so that the ring of recent unshown
 * segments recycles its slots instead of allocating one object per segment.
 */
final class KeptSegment {
  int index;
  long tsUs;
  boolean fromClient;
  int flags;
  long seq;
  long ack;
  int frameLength;
  int payloadLength;
  boolean fragment;
  byte[] options = EMPTY;
  int optionsLength;
  TcpState clientState;
  TcpState serverState;
  Mark mark = Mark.NONE;
  /** The HTTP request or status line shown under the segment (-m http), or null. */
  String http;

  private static final byte[] EMPTY = new byte[0];

  void copyFrom(Segment s, int segmentIndex, boolean client) {
    index = segmentIndex;
    tsUs = s.tsUs;
    fromClient = client;
    flags = s.flags;
    seq = s.seq;
    ack = s.ack;
    frameLength = s.frameLength;
    payloadLength = s.payloadLength;
    fragment = s.fragmented;
    int length = Math.min(s.optionsLength, 40);
    if (options.length < length) {
      options = new byte[40];
    }
    System.arraycopy(s.options, s.optionsOffset, options, 0, length);
    optionsLength = length;
    mark = Mark.NONE;
    http = null;
  }

  KeptSegment copy() {
    KeptSegment k = new KeptSegment();
    k.index = index;
    k.tsUs = tsUs;
    k.fromClient = fromClient;
    k.flags = flags;
    k.seq = seq;
    k.ack = ack;
    k.frameLength = frameLength;
    k.payloadLength = payloadLength;
    k.fragment = fragment;
    k.options = java.util.Arrays.copyOf(options, optionsLength);
    k.optionsLength = optionsLength;
    k.clientState = clientState;
    k.serverState = serverState;
    k.mark = mark;
    k.http = http;
    return k;
  }
}
