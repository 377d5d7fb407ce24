package dev.tcpscope.capture.source;

/**
 * Live capture settings.
 *
 * @param iface interface name, or "any"
 * @param bpf a filter in tcpdump syntax, applied in the kernel; null or blank for "tcp"
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

  /** The kernel filter: TCP only, narrowed by the user's expression when given. */
  public String kernelFilter() {
    return bpf == null || bpf.isBlank() ? "tcp" : "tcp and (" + bpf + ")";
  }
}
