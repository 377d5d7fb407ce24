package dev.tcpscope.capture.pcap;

/**
 * One frame as a capture file or interface hands it over. Filled in place by a reader; the
 * bytes stay valid only until the next call to {@link CaptureFileReader#next}.
 */
public final class CapturedFrame {
  public int linkType;
  public long tsUs;
  public byte[] data;
  public int offset;
  public int capturedLength;
  public int wireLength;
}
