package dev.tcpscope.cli.bench;

import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionTable;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code bench engine}: the session engine alone, in memory, on one thread.
 *
 * <p>Throughput: endless short sessions (handshake, six data segments, teardown) with a fixed
 * number open at once, through a {@link SessionTable} with miruo's default rules; a warm-up run,
 * then the median of the measured runs (each a fresh table, so session churn is included).
 *
 * <p>Memory: the same number of sessions opened and left open (handshake, a request and a
 * response each), then the heap in use after full collections is compared with the heap
 * before them: the difference divided by the sessions is {@code bytes_per_open_session}. The
 * segments each session keeps for display (its handshake and the recent ones kept for -v
 * context and for the original of a retransmission) are counted by walking the table's object
 * heap's class histogram (the JVM's GC.class_histogram) and left out in {@code bytes_per_open_session_without_display}. Then every
 * session is closed: what an ended session still costs while it waits for late segments is
 * {@code bytes_per_ended_session}. The limits bound the whole: -L open sessions, -L ended ones
 * waiting, and -l kept segments ({@code heap_bound_mb}).
 */
final class EngineBench {
  private final long segments;
  private final int sessions;
  private final int runs;

  EngineBench(long segments, int sessions, int runs) {
    this.segments = segments;
    this.sessions = sessions;
    this.runs = runs;
  }

  int run(PrintStream out) {
    double[] rates = new double[runs];
    throughput(Math.min(segments, 2_000_000));
    for (int i = 0; i < runs; i++) {
      rates[i] = throughput(segments);
    }
    Arrays.sort(rates);
    Memory m = memory(sessions);
    RuleSettings limits = RuleSettings.defaults();
    double boundMb = (limits.sessionLimit() * (double) (m.perOpenWithoutDisplay + m.perEnded)
        + limits.segmentLimit() * (double) m.perKeptSegment) / (1 << 20);
    out.println("bench=engine");
    out.println("sessions_concurrent=" + sessions);
    out.println("segments=" + segments);
    out.println("runs=" + runs);
    out.println(String.format(Locale.ROOT, "segments_per_s=%.0f", rates[runs / 2]));
    out.println(String.format(Locale.ROOT, "segments_per_s_min=%.0f", rates[0]));
    out.println(String.format(Locale.ROOT, "segments_per_s_max=%.0f", rates[runs - 1]));
    out.println("bytes_per_open_session=" + m.perOpen);
    out.println("bytes_per_open_session_without_display=" + m.perOpenWithoutDisplay);
    out.println("kept_segments_per_open_session=" + m.keptPerSession);
    out.println("bytes_per_kept_segment=" + m.perKeptSegment);
    out.println("bytes_per_ended_session=" + m.perEnded);
    out.println(String.format(Locale.ROOT, "heap_bound_mb=%.0f", boundMb));
    out.println("heap_bound_limits=-L " + limits.sessionLimit() + " -l " + limits.segmentLimit());
    return 0;
  }

  /** Segments per second through a table holding {@code sessions} open sessions. */
  private double throughput(long count) {
    // --all off and miruo's defaults: the clean sessions are judged and not reported.
    long[] reported = {0};
    SessionTable table = new SessionTable(RuleSettings.defaults(), "bench", r -> reported[0]++);
    SyntheticTraffic traffic = new SyntheticTraffic(sessions, 6);
    Segment segment = new Segment();
    for (int i = 0; i < sessions * 3; i++) { // fill the table to its steady state first
      traffic.next(segment);
      table.onSegment(segment);
    }
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    long elapsed = System.nanoTime() - start;
    if (reported[0] != 0) {
      throw new IllegalStateException("clean synthetic sessions were reported: " + reported[0]);
    }
    return count * 1e9 / elapsed;
  }

  /** Bytes of each frame the written capture holds (tcpdump -s 96): the headers. */
  private static final int SNAP_LENGTH = 96;

  /**
   * Writes the synthetic traffic as a capture file (Ethernet, pcap), each frame built with its
   * real lengths and checksums and cut at {@value #SNAP_LENGTH} bytes, as a header capture is.
   */
  static int writeCapture(java.nio.file.Path file, long frames, int concurrent, PrintStream out)
      throws java.io.IOException {
    SyntheticTraffic traffic = new SyntheticTraffic(concurrent, 6);
    Segment s = new Segment();
    byte[] payload = new byte[1200];
    try (dev.tcpscope.capture.pcap.PcapFileWriter writer =
        dev.tcpscope.capture.pcap.PcapFileWriter.create(file, 1)) {
      for (long i = 0; i < frames; i++) {
        traffic.next(s);
        byte[] frame = dev.tcpscope.capture.craft.TcpFrameBuilder
            .tcp(text(s.srcIp), s.srcPort, text(s.dstIp), s.dstPort)
            .seq(s.seq).ack(s.ack).flags(s.flags).window(s.window)
            .payload(java.util.Arrays.copyOf(payload, s.payloadLength)).build();
        writer.write(s.tsUs, frame, Math.min(frame.length, SNAP_LENGTH), frame.length);
      }
    }
    out.println("capture=" + file);
    out.println("frames=" + frames);
    out.println("sessions_concurrent=" + concurrent);
    out.println("sessions=" + traffic.sessionsStarted());
    return 0;
  }

  private static String text(byte[] ip) {
    return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
  }

  private record Memory(long perOpen, long perOpenWithoutDisplay, long keptPerSession,
      long perKeptSegment, long perEnded) {}

  private static Memory memory(int sessions) {
    SessionTable table = new SessionTable(RuleSettings.defaults(), "bench", r -> { });
    SyntheticTraffic traffic = new SyntheticTraffic(sessions, 2);
    Segment segment = new Segment();
    long before = MemoryProbe.usedAfterGc();
    // Handshake, request and response of every session: all open, nothing ended yet.
    for (int i = 0; i < sessions * 5; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    long open = MemoryProbe.usedAfterGc() - before;
    if (table.size() != sessions || table.stats().open() != sessions) {
      throw new IllegalStateException("expected " + sessions + " open sessions, table holds "
          + table.size());
    }
    long[] kept = HeapHistogram.instancesAndBytes("dev.tcpscope.session.engine.KeptSegment");
    long keptCount = kept[0];
    long keptBytes = kept[1];
    long perKept = keptCount == 0 ? 0 : keptBytes / keptCount;

    // The teardown of every session: each ends and waits in its slot for late segments.
    for (int i = 0; i < sessions * 3; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    long ended = MemoryProbe.usedAfterGc() - before;
    if (table.stats().open() != 0 || table.lingering() != sessions) {
      throw new IllegalStateException("expected " + sessions + " ended sessions waiting, "
          + table.lingering() + " wait and " + table.stats().open() + " are open");
    }
    java.lang.ref.Reference.reachabilityFence(table);
    java.lang.ref.Reference.reachabilityFence(traffic);
    return new Memory(open / sessions, (open - keptBytes) / sessions, keptCount / sessions,
        perKept, ended / sessions);
  }
}
