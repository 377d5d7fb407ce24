package dev.tcpscope.cli.conformance;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.capture.pcap.CapturedFrame;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.pipeline.DecodeCounters;
import dev.tcpscope.cli.command.Segments;
import dev.tcpscope.session.engine.IpText;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one capture through the engine exactly as {@code tcpscope analyze} does
 * ({@link CaptureFileReplay}, {@link Segments#copy}, one {@link SessionTable} per file, end of
 * capture), and keeps beside the reports a copy of every decoded segment with the link-layer
 * facts the conformance tests need to explain differences (what miruo could not read).
 */
final class CorpusRun {
  /** A decoded segment as the tests look at it; {@code index} is its rank among the segments. */
  record Packet(
      int index,
      long tsUs,
      int ipVersion,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      long seq,
      long ack,
      int flags,
      int window,
      int payloadLength,
      int frameLength,
      boolean fragmented,
      String encapsulation,
      boolean zeroOrOneLengthOption,
      boolean inNoSession) {

    String srcEndpoint() {
      return src + ":" + srcPort;
    }

    String dstEndpoint() {
      return dst + ":" + dstPort;
    }

    boolean has(int flag) {
      return (flags & flag) != 0;
    }
  }

  final Path file;
  final RuleSettings rules;
  final List<SessionReport> reports = new ArrayList<>();
  final List<Packet> packets = new ArrayList<>();
  DecodeCounters counters;
  String damage;
  /** The file's (first) link type. */
  int linkType = -1;

  /** Whether checksums are verified as Zeek does by default (see {@link Checksums}). */
  private final boolean verifyChecksums;

  /** Segments dropped for a wrong IPv4 header checksum, and those with a wrong TCP checksum. */
  int badIpChecksums;

  int badTcpChecksums;

  private CorpusRun(Path file, RuleSettings rules, boolean verifyChecksums) {
    this.file = file;
    this.rules = rules;
    this.verifyChecksums = verifyChecksums;
  }

  static CorpusRun of(Path file, RuleSettings rules) {
    return of(file, rules, false);
  }

  static CorpusRun of(Path file, RuleSettings rules, boolean verifyChecksums) {
    CorpusRun run = new CorpusRun(file, rules, verifyChecksums);
    try {
      run.replay();
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
    return run;
  }

  private void replay() throws IOException {
    SessionTable table = new SessionTable(rules, "conformance", reports::add);
    table.source(file.toString());
    CaptureFileReplay replay = new CaptureFileReplay();
    Segment segment = new Segment();
    try (CaptureFileReader reader = CaptureFiles.open(file.toString())) {
      FrameTap tap = new FrameTap(reader);
      replay.replay(tap, decoded -> {
        Segments.copy(decoded, segment);
        if (verifyChecksums) {
          Checksums.Verdict verdict = Checksums.of(decoded);
          if (verdict == Checksums.Verdict.BAD_IP) {
            badIpChecksums++;
            return;
          }
          segment.badChecksum = verdict == Checksums.Verdict.BAD_TCP;
          badTcpChecksums += segment.badChecksum ? 1 : 0;
        }
        long outside = table.stats().lateSegments() + table.stats().droppedSessions();
        table.onSegment(segment);
        boolean inNoSession =
            table.stats().lateSegments() + table.stats().droppedSessions() != outside;
        packets.add(packet(decoded, tap.last, inNoSession));
      });
    }
    table.endOfCapture();
    counters = replay.counters();
    damage = replay.damage();
  }

  private Packet packet(DecodedSegment d, CapturedFrame frame, boolean inNoSession) {
    if (linkType < 0) {
      linkType = frame.linkType;
    }
    return new Packet(
        packets.size(),
        d.tsUs,
        d.ipVersion,
        IpText.of(d.srcIp, d.addressLength()),
        d.srcPort,
        IpText.of(d.dstIp, d.addressLength()),
        d.dstPort,
        d.seq,
        d.ack,
        d.flags,
        d.window,
        d.payloadLength,
        d.frameLength,
        d.fragmented,
        encapsulation(frame, d),
        zeroOrOneLengthOption(d),
        inNoSession);
  }

  /**
   * What hides this segment from miruo, or null when miruo reads it: miruo reads Ethernet II
   * and Linux cooked v1 with EtherType IPv4, raw IP, BSD null and loop, then an IPv4 header and
   * a TCP header right behind it. Anything else (VLAN tags, MPLS, PPPoE, a tunnel, another
   * link type) is named after what miruo finds instead.
   */
  private static String encapsulation(CapturedFrame f, DecodedSegment d) {
    byte[] b = f.data;
    int at = f.offset;
    int end = f.offset + f.capturedLength;
    switch (f.linkType) {
      case LinkType.ETHERNET -> {
        if (end - at < 14) {
          return "ETHERNET?";
        }
        int etherType = u16(b, at + 12);
        if (etherType != 0x0800) {
          return etherTypeName(etherType);
        }
        at += 14;
      }
      case LinkType.LINUX_SLL -> {
        if (end - at < 16) {
          return "SLL?";
        }
        int etherType = u16(b, at + 14);
        if (etherType != 0x0800) {
          return etherTypeName(etherType);
        }
        at += 16;
      }
      case LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14 -> {}
      case LinkType.NULL, LinkType.LOOP -> at += 4;
      default -> {
        return "LINKTYPE_" + LinkType.name(f.linkType);
      }
    }
    if (d.ipVersion != 4) {
      return null; // IPv6: named IPV6 on its own
    }
    if (end - at < 20) {
      return "IP?";
    }
    int headerLength = (b[at] & 0x0f) * 4;
    int protocol = b[at + 9] & 0xff;
    if (protocol != 6) {
      return switch (protocol) {
        case 4 -> "IP_IN_IP";
        case 41 -> "IPV6_IN_IP";
        case 47 -> "GRE";
        case 17 -> "UDP_TUNNEL";
        default -> "IP_PROTO_" + protocol;
      };
    }
    int tcp = at + headerLength;
    if (end - tcp < 20 || u16(b, tcp) != d.srcPort || u16(b, tcp + 2) != d.dstPort) {
      return "NESTED";
    }
    return null;
  }

  private static String etherTypeName(int etherType) {
    return switch (etherType) {
      case 0x8100 -> "VLAN";
      case 0x88a8, 0x9100 -> "QINQ";
      case 0x8847, 0x8848 -> "MPLS";
      case 0x8864 -> "PPPOE";
      case 0x86dd -> "IP_IN_IPV6";
      case 0x8903 -> "FABRICPATH";
      case 0x8926 -> "VNTAG";
      default -> String.format("ETHERTYPE_%04X", etherType);
    };
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  /** A TCP option whose length byte is 0 or 1: miruo loops or crashes printing it. */
  private static boolean zeroOrOneLengthOption(DecodedSegment d) {
    byte[] b = d.frame;
    int at = d.optionsOffset;
    int end = at + d.optionsLength;
    while (at < end) {
      int kind = b[at] & 0xff;
      if (kind == 0) {
        return false;
      }
      if (kind == 1) {
        at++;
        continue;
      }
      if (at + 1 >= end) {
        return false;
      }
      int length = b[at + 1] & 0xff;
      if (length < 2) {
        return true;
      }
      at += length;
    }
    return false;
  }

  /** Remembers the frame the replay loop read last, so the sink can look at its link layer. */
  private static final class FrameTap implements CaptureFileReader {
    private final CaptureFileReader inner;
    CapturedFrame last;

    FrameTap(CaptureFileReader inner) {
      this.inner = inner;
    }

    @Override
    public boolean next(CapturedFrame frame) throws IOException {
      last = frame;
      return inner.next(frame);
    }

    @Override
    public String damage() {
      return inner.damage();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}
