package dev.tcpscope.capture.source;

import java.io.IOException;

/**
 * Opens a live capture, Java 25 version: libpcap called directly through the foreign-function
 * API ({@link FfmPcapSource}), one downcall per packet and no JNA callback; pcap4j when
 * {@code -Dtcpscope.capture.backend=pcap4j} is set.
 */
public final class LiveCaptures {
  private LiveCaptures() {}

  public static PacketSource open(LiveCaptureSettings settings) throws IOException {
    return backend().equals("ffm") ? FfmPcapSource.open(settings) : LivePcapSource.open(settings);
  }

  public static String backend() {
    return "pcap4j".equals(System.getProperty("tcpscope.capture.backend")) ? "pcap4j" : "ffm";
  }
}
