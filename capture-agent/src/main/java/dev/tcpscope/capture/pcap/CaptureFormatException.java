package dev.tcpscope.capture.pcap;

import java.io.IOException;

/** The input is not a capture file this reader understands; the message says what it found. */
public final class CaptureFormatException extends IOException {
  public CaptureFormatException(String message) {
    super(message);
  }
}
