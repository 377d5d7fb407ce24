package dev.tcpscope.capture.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.RawPacketListener;

/**
 * Live capture through libpcap (pcap4j): the BPF filter runs in the kernel, packets are taken
 * in batches with pcap_dispatch on a non-blocking handle, so the loop notices {@link #stop()}
 * and runs its once-a-second work even when no traffic flows.
 */
public final class LivePcapSource implements PacketSource {
  private static final int READ_TIMEOUT_MS = 100;

  private final LiveCaptureSettings settings;
  private final PcapHandle handle;
  private final int linkType;
  private volatile boolean stopRequested;
  private volatile CaptureStatistics statistics = CaptureStatistics.NONE;

  private LivePcapSource(LiveCaptureSettings settings, PcapHandle handle) throws NotOpenException {
    this.settings = settings;
    this.handle = handle;
    this.linkType = handle.getDlt().value();
  }

  /**
   * Opens the interface.
   *
   * @throws IOException with a message that says what to do (missing privilege, no such
   *     interface, a BPF expression libpcap does not accept, libpcap not installed)
   */
  public static LivePcapSource open(LiveCaptureSettings settings) throws IOException {
    LibpcapLocation.configure();
    PcapHandle handle;
    try {
      handle = new PcapHandle.Builder(settings.iface())
          .snaplen(settings.snapLength())
          .bufferSize(settings.bufferBytes())
          .promiscuousMode(settings.promiscuous()
              ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
          .timeoutMillis(READ_TIMEOUT_MS)
          .immediateMode(settings.immediate())
          .build();
    } catch (PcapNativeException e) {
      throw new IOException(explain(settings.iface(), e.getMessage()), e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IOException("libpcap could not be loaded (" + e.getMessage() + "); install it"
          + " (Debian/Ubuntu: apt-get install libpcap0.8, or libpcap-dev)", e);
    }
    try {
      handle.setFilter(settings.kernelFilter(), BpfCompileMode.OPTIMIZE);
      // A blocking read can wait forever on a silent network: in immediate mode libpcap
      // ignores the timeout, and on Linux's TPACKET_V3 it leaves the timeout to the kernel,
      // which never retires an empty block. Non-blocking reads, with a short park when none is
      // ready, let the loop notice stop() and tick once a second whatever the traffic.
      handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
      return new LivePcapSource(settings, handle);
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      throw new IOException("the filter '" + settings.kernelFilter() + "' is not accepted by"
          + " libpcap: " + e.getMessage(), e);
    }
  }

  static String explain(String iface, String message) {
    String m = message == null ? "" : message;
    if (m.contains("ermission") || m.contains("not permitted")) {
      return "no permission to capture on " + iface + " (" + m + "). Run as root, or grant the"
          + " capabilities: setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which java)),"
          + " or in systemd AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN, or in Kubernetes"
          + " securityContext.capabilities.add: [NET_RAW, NET_ADMIN]";
    }
    if (m.contains("No such device") || m.contains("doesn't exist")) {
      return "no interface named '" + iface + "' (" + m + "); list them with 'ip link'";
    }
    return "cannot capture on " + iface + ": " + m;
  }

  @Override
  public String name() {
    return settings.iface();
  }

  @Override
  public boolean isFile() {
    return false;
  }

  @Override
  public void run(FrameSink sink, Runnable everySecond) throws IOException {
    RawPacketListener listener = packet -> {
      Timestamp ts = handle.getTimestamp();
      long tsUs = ts.getTime() / 1000 * 1_000_000L + ts.getNanos() / 1000;
      int wire = handle.getOriginalLength();
      sink.onFrame(linkType, packet, 0, packet.length, Math.max(wire, packet.length), tsUs);
    };
    long nextTick = System.nanoTime() + 1_000_000_000L;
    try {
      while (!stopRequested) {
        int taken = handle.dispatch(-1, listener);
        if (taken == 0) {
          LockSupport.parkNanos(1_000_000);
        }
        if (System.nanoTime() >= nextTick) {
          readStatistics();
          everySecond.run();
          nextTick = System.nanoTime() + 1_000_000_000L;
        }
      }
      readStatistics();
    } catch (PcapNativeException | NotOpenException e) {
      if (!stopRequested) {
        throw new IOException("capture on " + settings.iface() + " failed: " + e.getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readStatistics() {
    try {
      PcapStat stat = handle.getStats();
      statistics = new CaptureStatistics(stat.getNumPacketsReceived(),
          stat.getNumPacketsDropped(), stat.getNumPacketsDroppedByIf());
    } catch (PcapNativeException | NotOpenException | UnsupportedOperationException e) {
      // statistics are not available on every platform or for every interface
    }
  }

  @Override
  public void stop() {
    stopRequested = true;
    try {
      handle.breakLoop();
    } catch (NotOpenException e) {
      // already closed
    }
  }

  @Override
  public CaptureStatistics statistics() {
    return statistics;
  }

  @Override
  public void close() {
    handle.close();
  }

  /**
   * pcap4j loads the unversioned libpcap.so, which only the -dev package provides; point it at
   * the runtime library when that is all the machine has.
   */
  static final class LibpcapLocation {
    private static final String PROPERTY = "org.pcap4j.core.pcapLibName";

    private LibpcapLocation() {}

    static void configure() {
      if (System.getProperty(PROPERTY) != null) {
        return;
      }
      Path library = library();
      if (library != null && library.getFileName().toString().equals("libpcap.so.0.8")) {
        System.setProperty(PROPERTY, library.toString());
      }
    }

    /** The libpcap shared library: the unversioned one, else the runtime's; null if none. */
    static Path library() {
      for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")) {
        if (Files.exists(Path.of(dir, "libpcap.so"))) {
          return Path.of(dir, "libpcap.so");
        }
        Path runtime = Path.of(dir, "libpcap.so.0.8");
        if (Files.exists(runtime)) {
          return runtime;
        }
      }
      return null;
    }
  }
}
