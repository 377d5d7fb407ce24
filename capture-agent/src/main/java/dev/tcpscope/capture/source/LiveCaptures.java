package dev.tcpscope.capture.source;

import java.io.IOException;

/**
 * Opens a live capture. On Java 17 to 24 through pcap4j; the capture-agent jar is a
 * multi-release jar whose Java 25 version of this class calls libpcap directly through the
 * JDK's foreign-function API instead ({@code META-INF/versions/25}, built when a JDK 25 is
 * found), with pcap4j still used when {@code -Dtcpscope.capture.backend=pcap4j} is set.
 */
public final class LiveCaptures {
  private LiveCaptures() {}

  public static PacketSource open(LiveCaptureSettings settings) throws IOException {
    return LivePcapSource.open(settings);
  }

  /** Which binding {@link #open} uses: "pcap4j" or "ffm". */
  public static String backend() {
    return "pcap4j";
  }
}
