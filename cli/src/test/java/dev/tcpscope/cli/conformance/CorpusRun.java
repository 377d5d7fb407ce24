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
      boolean zeroOrOneLengthOption) {

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

  private CorpusRun(Path file, RuleSettings rules) {
    this.file = file;
    this.rules = rules;
  }

  static CorpusRun of(Path file, RuleSettings rules) {
    CorpusRun run = new CorpusRun(file, rules);
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
        table.onSegment(segment);
        packets.add(packet(decoded, tap.last));
      });
    }
    table.endOfCapture();
    counters = replay.counters();
    damage = replay.damage();
  }

  private Packet packet(DecodedSegment d, CapturedFrame frame) {
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
        encapsulation(frame),
        zeroOrOneLengthOption(d));
  }

  /**
   * What wraps the IP header, when it is something miruo does not read: null for plain
   * Ethernet II, Linux cooked v1, raw IP, BSD null and loop.
   */
  private static String encapsulation(CapturedFrame f) {
    byte[] b = f.data;
    int at = f.offset;
    int length = f.capturedLength;
    switch (f.linkType) {
      case LinkType.ETHERNET -> {
        if (length >= 14) {
          int etherType = ((b[at + 12] & 0xff) << 8) | (b[at + 13] & 0xff);
          if (etherType == 0x8100) {
            return "VLAN";
          }
          if (etherType == 0x88a8 || etherType == 0x9100) {
            return "QINQ";
          }
        }
        return null;
      }
      case LinkType.LINUX_SLL, LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14, LinkType.NULL,
          LinkType.LOOP -> {
        return null;
      }
      default -> {
        return "LINKTYPE_" + LinkType.name(f.linkType);
      }
    }
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
