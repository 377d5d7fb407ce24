package dev.tcpscope.capture.source;

/**
 * Live capture settings.
 *
 * @param iface interface name, or "any"
 * @param bpf a filter in tcpdump syntax, applied in the kernel; null or blank for {@link
 *     #DEFAULT_FILTER}
 * @param snapLength bytes captured per packet: headers plus the first bytes of payload
 * @param bufferBytes the kernel capture buffer
 * @param promiscuous capture traffic not addressed to this host too
 * @param immediate deliver each packet at once instead of in batches
 */
public record LiveCaptureSettings(
    String iface, String bpf, int snapLength, int bufferBytes, boolean promiscuous,
    boolean immediate) {

  public static final int DEFAULT_SNAP_LENGTH = 512;
  public static final int DEFAULT_BUFFER_BYTES = 32 << 20;

  public LiveCaptureSettings {
    if (iface == null || iface.isBlank()) {
      throw new IllegalArgumentException("-i needs an interface name (or 'any')");
    }
    if (snapLength < 68 || snapLength > 262_144) {
      throw new IllegalArgumentException(
          "--snap-length must be between 68 and 262144 bytes, not " + snapLength);
    }
    if (bufferBytes < (1 << 16)) {
      throw new IllegalArgumentException("--buffer-size must be at least 65536 bytes, not " + bufferBytes);
    }
  }

  /**
   * What the kernel passes when no expression is given: TCP, and what may carry TCP inside
   * (IPv6 with extension headers, IP-in-IP, GRE, and the UDP tunnels the decoder opens), so
   * that tunnelled pod traffic is seen; plain "tcp" would keep all of that out. MPLS and PPPoE
   * need an expression of their own ({@code mpls and tcp}), as in tcpdump.
   */
  public static final String DEFAULT_FILTER = "tcp or (ip6 and not udp and not icmp6)"
      + " or ip proto 4 or ip proto 41 or ip proto 47"
      + " or (udp and (port 4789 or port 8472 or port 6081 or port 2152 or port 3544"
      + " or port 4754))";

  /** The kernel filter: the user's expression as given (as tcpdump takes it), or the default. */
  public String kernelFilter() {
    return bpf == null || bpf.isBlank() ? DEFAULT_FILTER : bpf;
  }
}
