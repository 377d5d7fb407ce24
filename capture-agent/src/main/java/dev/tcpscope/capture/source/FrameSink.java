package dev.tcpscope.capture.source;

/** Receives captured frames; the bytes are valid only during the call. */
@FunctionalInterface
public interface FrameSink {
  void onFrame(int linkType, byte[] data, int offset, int capturedLength, int wireLength, long tsUs);
}
