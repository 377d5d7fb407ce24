package dev.tcpscope.capture.source;

import dev.tcpscope.capture.pipeline.FrameFilter;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A tcpdump-syntax filter applied to frames read from files, compiled by libpcap once per
 * link type (a pcapng file may mix them), as {@code tcpdump -r FILE EXPR} would apply it.
 */
public final class BpfFrameFilter implements FrameFilter, AutoCloseable {
  /** PCAP_NETMASK_UNKNOWN: only broadcast tests need the netmask. */
  private static final Inet4Address NETMASK_UNKNOWN;

  static {
    try {
      NETMASK_UNKNOWN = (Inet4Address) InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String expression;
  private final Map<Integer, BpfProgram> programs = new HashMap<>();
  private byte[] scratch = new byte[65536];

  private BpfFrameFilter(String expression) {
    this.expression = expression;
  }

  /**
   * Checks the expression now (against Ethernet) so a typo fails before any file is read.
   *
   * @throws IOException naming the expression and libpcap's complaint
   */
  public static BpfFrameFilter compile(String expression) throws IOException {
    LivePcapSource.LibpcapLocation.configure();
    BpfFrameFilter filter = new BpfFrameFilter(expression);
    filter.program(1);
    return filter;
  }

  private BpfProgram program(int linkType) throws IOException {
    BpfProgram program = programs.get(linkType);
    if (program == null) {
      try {
        program = Pcaps.compileFilter(262144, DataLinkType.getInstance(linkType), expression,
            BpfCompileMode.OPTIMIZE, NETMASK_UNKNOWN);
      } catch (PcapNativeException e) {
        throw new IOException("the filter '" + expression + "' is not accepted by libpcap: "
            + e.getMessage(), e);
      } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
        throw new IOException("a BPF filter needs libpcap, which could not be loaded ("
            + e.getMessage() + "); install it (Debian/Ubuntu: apt-get install libpcap0.8)", e);
      }
      programs.put(linkType, program);
    }
    return program;
  }

  @Override
  public boolean accept(int linkType, byte[] data, int offset, int capturedLength, int wireLength) {
    BpfProgram program;
    try {
      program = program(linkType);
    } catch (IOException e) {
      return false; // libpcap cannot filter this link type: nothing of it matches
    }
    byte[] packet = data;
    if (offset != 0) {
      // libpcap filters from the start of an array: copy into a reused buffer, not a new one.
      if (scratch.length < capturedLength) {
        scratch = new byte[capturedLength];
      }
      System.arraycopy(data, offset, scratch, 0, capturedLength);
      packet = scratch;
    }
    return program.applyFilter(packet, wireLength, capturedLength);
  }

  @Override
  public void close() {
    programs.values().forEach(BpfProgram::free);
    programs.clear();
  }
}
