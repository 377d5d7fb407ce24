package dev.tcpscope.capture.pcap;

import java.io.Closeable;
import java.io.IOException;

/** Reads frames from a capture file, one at a time, into a reused {@link CapturedFrame}. */
public interface CaptureFileReader extends Closeable {

  /**
   * Reads the next frame.
   *
   * @return false at the end of the file (or where a damaged record makes the rest unreadable:
   *     see {@link #damage()})
   */
  boolean next(CapturedFrame frame) throws IOException;

  /** Why reading stopped before a clean end of file, or null when it did not. */
  String damage();
}
