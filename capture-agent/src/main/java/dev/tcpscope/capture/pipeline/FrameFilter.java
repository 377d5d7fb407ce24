package dev.tcpscope.capture.pipeline;

/** Decides which captured frames are decoded at all (a BPF expression, for files). */
@FunctionalInterface
public interface FrameFilter {
  boolean accept(int linkType, byte[] data, int offset, int capturedLength, int wireLength);
}
