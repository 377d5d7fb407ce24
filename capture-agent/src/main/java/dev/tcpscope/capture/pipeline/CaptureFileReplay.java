package dev.tcpscope.capture.pipeline;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.pcap.CapturedFrame;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads a capture file, decodes every frame and hands each segment to a sink: the one loop
 * that the agent, {@code analyze} and {@code decode} all use for files.
 */
public final class CaptureFileReplay {
  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodeCounters counters = new DecodeCounters();
  private final CapturedFrame frame = new CapturedFrame();
  private final DecodedSegment segment = new DecodedSegment();
  private String damage;
  private FrameFilter filter;
  private long filtered;

  /** Only frames the filter accepts are decoded; the others are counted as filtered. */
  public CaptureFileReplay filter(FrameFilter frameFilter) {
    this.filter = frameFilter;
    return this;
  }

  /** Frames the filter rejected. */
  public long filtered() {
    return filtered;
  }

  /**
   * Replays one file (or standard input for "-").
   *
   * @param sink receives each segment; the object is reused, so copy what you keep
   */
  public void replay(String file, Consumer<DecodedSegment> sink) throws IOException {
    try (CaptureFileReader reader = CaptureFiles.open(file)) {
      replay(reader, sink);
    }
  }

  /** Replays an open capture to its end; the caller closes the reader. */
  public void replay(CaptureFileReader reader, Consumer<DecodedSegment> sink) throws IOException {
    while (reader.next(frame)) {
      if (filter != null && !filter.accept(frame.linkType, frame.data, frame.offset,
          frame.capturedLength, frame.wireLength)) {
        filtered++;
        continue;
      }
      DecodeResult result = decoder.decode(frame.linkType, frame.data, frame.offset,
          frame.capturedLength, frame.wireLength, frame.tsUs, segment);
      counters.count(result);
      if (result == DecodeResult.SEGMENT) {
        sink.accept(segment);
      }
    }
    damage = reader.damage();
  }

  public DecodeCounters counters() {
    return counters;
  }

  /** Why the last file ended early, or null. */
  public String damage() {
    return damage;
  }
}
