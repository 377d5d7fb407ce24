package dev.tcpscope.capture.source;

/**
 * libpcap's own counters for a live capture (pcap_stats): packets the filter passed, packets
 * dropped because the buffer was full, and packets the interface or driver dropped.
 */
public record CaptureStatistics(long received, long dropped, long droppedByInterface) {
  /** What a capture file reports: nothing was dropped before the agent saw it. */
  public static final CaptureStatistics NONE = new CaptureStatistics(0, 0, 0);

  public long droppedTotal() {
    return dropped + droppedByInterface;
  }

  public String line() {
    return "pcap_received=" + received + " pcap_dropped=" + dropped + " pcap_if_dropped="
        + droppedByInterface;
  }
}
