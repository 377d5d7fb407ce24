package dev.tcpscope.capture.pcap;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.SegmentInvariants;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * The check both capture-file fuzz tests make: the bytes either are refused as not a capture
 * ({@link CaptureFormatException}) or read to an end, every frame inside the input and decoded
 * to a verdict. Anything thrown besides is a finding.
 */
final class CaptureFuzzing {
  private CaptureFuzzing() {}

  static void readAndDecode(byte[] input) {
    FrameDecoder decoder = new FrameDecoder();
    DecodedSegment segment = new DecodedSegment();
    CapturedFrame frame = new CapturedFrame();
    try (CaptureFileReader reader = CaptureFiles.open(new ByteArrayInputStream(input))) {
      long frames = 0;
      while (reader.next(frame)) {
        if (frame.offset < 0 || frame.capturedLength < 0
            || frame.capturedLength > frame.data.length - frame.offset
            || frame.wireLength < frame.capturedLength) {
          throw new IllegalStateException("frame outside its buffer: " + frame.offset + "+"
              + frame.capturedLength + " of " + frame.data.length);
        }
        if (++frames > input.length) {
          throw new IllegalStateException("more frames than input bytes: the reader loops");
        }
        DecodeResult result = decoder.decode(frame.linkType, frame.data, frame.offset,
            frame.capturedLength, frame.wireLength, frame.tsUs, segment);
        if (result == DecodeResult.SEGMENT && SegmentInvariants.violation(segment) != null) {
          throw new IllegalStateException(SegmentInvariants.violation(segment));
        }
      }
    } catch (CaptureFormatException e) {
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new IllegalStateException("a format error must say what is wrong", e);
      }
    } catch (IOException e) {
      throw new IllegalStateException("an in-memory stream cannot fail to read", e);
    }
  }
}
