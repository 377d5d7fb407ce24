package dev.tcpscope.capture.decode;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the decoder (Jazzer): any bytes under any link type decode to a
 * verdict without an exception, a segment always lies inside its frame, and its options
 * read without an exception. {@code mvn verify}
 * replays the seeds and past findings under {@code FrameDecoderFuzzTestInputs}; {@code
 * JAZZER_FUZZ=1} (the {@code fuzz} profile) mutates them for the bounded time below.
 */
class FrameDecoderFuzzTest {
  /** Link types the decoder reads, and one it does not. */
  private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL,
      LinkType.LINUX_SLL2, LinkType.RAW, LinkType.IPV4, LinkType.IPV6, LinkType.NULL,
      LinkType.LOOP, LinkType.FDDI, LinkType.RAW_12, 147};

  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment segment = new DecodedSegment();
  private final TcpOptions options = new TcpOptions();

  /** Input: link type selector, then how much of the rest was "captured", then the frame. */
  @FuzzTest(maxDuration = "40s")
  void anyFrameDecodesToAVerdictAndASegmentInsideItsFrame(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int linkType = LINK_TYPES[(input[0] & 0xff) % LINK_TYPES.length];
    byte[] frame = java.util.Arrays.copyOfRange(input, 2, input.length);
    // The second byte cuts the capture short of the frame, as a snap length does.
    int captured = Math.max(0, frame.length - (input[1] & 0x3f));
    DecodeResult result = decoder.decode(linkType, frame, 0, captured, frame.length, 1L, segment);
    if (result == null) {
      throw new IllegalStateException("no verdict");
    }
    if (result == DecodeResult.SEGMENT) {
      String wrong = SegmentInvariants.violation(segment);
      if (wrong != null) {
        throw new IllegalStateException(wrong);
      }
      if (segment.payloadOffset + segment.capturedPayload > captured) {
        throw new IllegalStateException("payload read past the captured bytes");
      }
      options.read(segment.frame, segment.optionsOffset, segment.optionsLength);
      if (options.sackBlocks > 4 || options.otherCount > 20) {
        throw new IllegalStateException("more options than 40 bytes hold");
      }
    }
  }
}
