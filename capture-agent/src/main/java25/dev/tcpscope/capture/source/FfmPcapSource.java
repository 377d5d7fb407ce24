package dev.tcpscope.capture.source;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * Live capture with libpcap called through the JDK's foreign-function API (Java 22 and later):
 * the same handle setup as {@link LivePcapSource} (snap length, kernel buffer, promiscuous,
 * immediate mode, the BPF filter in the kernel, non-blocking reads), but each packet is one
 * {@code pcap_next_ex} downcall and one copy into a reused array, with no JNA callback and no
 * object per packet.
 */
final class FfmPcapSource implements PacketSource {
  private static final int ERRBUF_SIZE = 256; // PCAP_ERRBUF_SIZE
  private static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;
  /** struct pcap_pkthdr on LP64: struct timeval (two longs), then caplen and len. */
  private static final long HDR_CAPLEN = 16;
  private static final long HDR_LEN = 20;
  private static final int READ_TIMEOUT_MS = 100;

  private final LiveCaptureSettings settings;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment handle;
  private final int linkType;
  private final MemorySegment headerRef;
  private final MemorySegment dataRef;
  private final MemorySegment stats;
  private byte[] buffer = new byte[65536];
  private volatile boolean stopRequested;
  private volatile CaptureStatistics statistics = CaptureStatistics.NONE;
  private boolean closed;

  private FfmPcapSource(LiveCaptureSettings settings, MemorySegment handle, int linkType) {
    this.settings = settings;
    this.handle = handle;
    this.linkType = linkType;
    this.headerRef = arena.allocate(ADDRESS);
    this.dataRef = arena.allocate(ADDRESS);
    this.stats = arena.allocate(16);
  }

  static FfmPcapSource open(LiveCaptureSettings settings) throws IOException {
    requireLibpcap();
    try (Arena setup = Arena.ofConfined()) {
      MemorySegment errbuf = setup.allocate(ERRBUF_SIZE);
      MemorySegment handle;
      int activated;
      int linkType;
      try {
        handle = (MemorySegment) CREATE.invokeExact(setup.allocateFrom(settings.iface()), errbuf);
        if (handle.equals(MemorySegment.NULL)) {
          throw new IOException(LivePcapSource.explain(settings.iface(), errbuf.getString(0)));
        }
        int unused = (int) SET_SNAPLEN.invokeExact(handle, settings.snapLength());
        unused = (int) SET_PROMISC.invokeExact(handle, settings.promiscuous() ? 1 : 0);
        unused = (int) SET_TIMEOUT.invokeExact(handle, READ_TIMEOUT_MS);
        unused = (int) SET_BUFFER_SIZE.invokeExact(handle, settings.bufferBytes());
        unused = (int) SET_IMMEDIATE_MODE.invokeExact(handle, settings.immediate() ? 1 : 0);
        activated = (int) ACTIVATE.invokeExact(handle);
        if (activated < 0) {
          String why = error(handle);
          CLOSE.invokeExact(handle);
          throw new IOException(LivePcapSource.explain(settings.iface(), why));
        }
        MemorySegment program = setup.allocate(16); // struct bpf_program
        if ((int) COMPILE.invokeExact(handle, program,
            setup.allocateFrom(settings.kernelFilter()), 1, PCAP_NETMASK_UNKNOWN) < 0
            || (int) SET_FILTER.invokeExact(handle, program) < 0) {
          String why = error(handle);
          CLOSE.invokeExact(handle);
          throw new IOException("the filter '" + settings.kernelFilter() + "' is not accepted"
              + " by libpcap: " + why);
        }
        FREE_CODE.invokeExact(program);
        // Non-blocking, as LivePcapSource explains: a blocking read may never return.
        unused = (int) SET_NONBLOCK.invokeExact(handle, 1, errbuf);
        linkType = (int) DATALINK.invokeExact(handle);
      } catch (IOException e) {
        throw e;
      } catch (Throwable e) {
        throw new IOException("libpcap failed on " + settings.iface() + ": " + e, e);
      }
      return new FfmPcapSource(settings, handle, linkType);
    }
  }

  private static String error(MemorySegment handle) throws Throwable {
    MemorySegment message = (MemorySegment) GETERR.invokeExact(handle);
    return message.reinterpret(ERRBUF_SIZE).getString(0);
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
    long nextTick = System.nanoTime() + 1_000_000_000L;
    try {
      while (!stopRequested) {
        int taken = 0;
        // A batch of packets between clock checks, as pcap_dispatch would hand them over.
        for (; taken < 4096; taken++) {
          int result = (int) NEXT_EX.invokeExact(handle, headerRef, dataRef);
          if (result != 1) {
            if (result < 0 && result != -2 && !stopRequested) {
              throw new IOException("capture on " + settings.iface() + " failed: "
                  + error(handle));
            }
            break;
          }
          deliver(sink);
        }
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
    } catch (IOException e) {
      throw e;
    } catch (Throwable e) {
      throw new IOException("capture on " + settings.iface() + " failed: " + e, e);
    }
  }

  private void deliver(FrameSink sink) {
    MemorySegment header = headerRef.get(ADDRESS, 0).reinterpret(24);
    int captured = header.get(JAVA_INT, HDR_CAPLEN);
    int wire = header.get(JAVA_INT, HDR_LEN);
    long tsUs = header.get(JAVA_LONG, 0) * 1_000_000L + header.get(JAVA_LONG, 8);
    if (captured > buffer.length) {
      buffer = new byte[captured];
    }
    MemorySegment data = dataRef.get(ADDRESS, 0).reinterpret(captured);
    MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, buffer, 0, captured);
    sink.onFrame(linkType, buffer, 0, captured, Math.max(wire, captured), tsUs);
  }

  private void readStatistics() {
    try {
      if ((int) STATS.invokeExact(handle, stats) == 0) {
        statistics = new CaptureStatistics(Integer.toUnsignedLong(stats.get(JAVA_INT, 0)),
            Integer.toUnsignedLong(stats.get(JAVA_INT, 4)),
            Integer.toUnsignedLong(stats.get(JAVA_INT, 8)));
      }
    } catch (Throwable e) {
      // statistics are not available for every interface
    }
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public CaptureStatistics statistics() {
    return statistics;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      CLOSE.invokeExact(handle);
    } catch (Throwable e) {
      // closing anyway
    }
    arena.close();
  }

  // The libpcap functions, looked up once; static final so each call site is a constant.
  private static final Path LIBRARY = LivePcapSource.LibpcapLocation.library();
  private static final SymbolLookup LIB = lookup();
  private static final FunctionDescriptor INT_OF_HANDLE_INT =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
  private static final MethodHandle CREATE =
      handle("pcap_create", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  private static final MethodHandle SET_SNAPLEN = handle("pcap_set_snaplen", INT_OF_HANDLE_INT);
  private static final MethodHandle SET_PROMISC = handle("pcap_set_promisc", INT_OF_HANDLE_INT);
  private static final MethodHandle SET_TIMEOUT = handle("pcap_set_timeout", INT_OF_HANDLE_INT);
  private static final MethodHandle SET_BUFFER_SIZE =
      handle("pcap_set_buffer_size", INT_OF_HANDLE_INT);
  private static final MethodHandle SET_IMMEDIATE_MODE =
      handle("pcap_set_immediate_mode", INT_OF_HANDLE_INT);
  private static final MethodHandle ACTIVATE =
      handle("pcap_activate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle GETERR =
      handle("pcap_geterr", FunctionDescriptor.of(ADDRESS, ADDRESS));
  private static final MethodHandle COMPILE = handle("pcap_compile",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle SET_FILTER =
      handle("pcap_setfilter", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle FREE_CODE =
      handle("pcap_freecode", FunctionDescriptor.ofVoid(ADDRESS));
  private static final MethodHandle SET_NONBLOCK = handle("pcap_setnonblock",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
  private static final MethodHandle DATALINK =
      handle("pcap_datalink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  /**
   * The per-packet call, "critical": on a non-blocking handle it returns at once and never
   * calls back into Java, so the thread-state transition of a normal downcall is skipped.
   */
  private static final MethodHandle NEXT_EX = handle("pcap_next_ex",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), Linker.Option.critical(false));
  private static final MethodHandle STATS =
      handle("pcap_stats", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle CLOSE =
      handle("pcap_close", FunctionDescriptor.ofVoid(ADDRESS));

  private static SymbolLookup lookup() {
    if (LIBRARY == null) {
      return null;
    }
    try {
      return SymbolLookup.libraryLookup(LIBRARY, Arena.global());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static MethodHandle handle(String name, FunctionDescriptor descriptor,
      Linker.Option... options) {
    if (LIB == null) {
      return null;
    }
    return LIB.find(name)
        .map(address -> Linker.nativeLinker().downcallHandle(address, descriptor, options))
        .orElse(null);
  }

  private static void requireLibpcap() throws IOException {
    if (LIBRARY == null) {
      throw new IOException("libpcap could not be loaded: it is not installed (Debian/Ubuntu:"
          + " apt-get install libpcap0.8)");
    }
    if (LIB == null || CREATE == null || NEXT_EX == null || CLOSE == null || STATS == null) {
      throw new IOException("libpcap could not be loaded from " + LIBRARY);
    }
  }
}
