package dev.tcpscope.cli.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tcpscope.cli.conformance.CorpusRun.Packet;
import dev.tcpscope.session.engine.SessionReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * tcpscope against miruo's own output on the shared corpus (every {@code expected-miruo.tsv}
 * found under it, every capture beside it, every rule): each session miruo printed must be
 * reported by tcpscope with the same client, server and start, with {@code segments} and
 * {@code bytes} equal to miruo's segments and {@code all_bytes}; and each session tcpscope
 * reports beyond miruo's rows must be accounted for. Where they differ, the difference must be
 * one of miruo's known mistakes or one of the places where tcpscope deliberately goes further
 * (miruo-behaviour.md, sections 6 and 7), and the test computes which from the segments
 * themselves, with {@link MiruoModel}; anything else fails.
 */
class MiruoConformanceTest {

  /** Why tcpscope and miruo may differ on a session. */
  enum Difference {
    // miruo's mistakes (miruo-behaviour.md section 7)
    MIRUO_DROPS_RETRANSMITTED_COPIES("copies under -r (all with -r 0, SYN copies with -S 0) left out of miruo's counts"),
    MIRUO_CLOSES_ON_RETRANSMITTED_COPY("miruo moved its states on a resent copy (acks unchecked) and closed before the real last segment"),
    KEEPALIVE_OR_WRAP_TAKEN_FOR_RETRANSMISSION("miruo's only retransmissions are keep-alives, repeated ACKs, or sequence-wrap look-alikes"),
    MIRUO_MISSES_RESEGMENTED_RETRANSMIT("tcpscope's retransmission (sequence space resent) is no identical copy of a kept segment"),
    MIRUO_RST_CLEARS_FLAGS("miruo's RST decision replaced the mark a rule had set"),
    MIRUO_SHOWS_SESSION_AFTER_DUPLICATE_SYN("miruo shows whatever session follows a 'Duplicate connection' break"),
    MIRUO_STOPPED("miruo stopped at a TCP option of length 0 or 1 it had to print"),
    MIRUO_SESSION_OR_SEGMENT_LIMIT("miruo's -L 1024 / -l 65536 refused the session or some of its segments"),
    ECN_SYN("the SYN carries ECE/CWR (or other extra flags): miruo does not start a session"),
    // where tcpscope goes further (miruo-behaviour.md section 6)
    IPV6("IPv6: miruo reads IPv4 only"),
    ENCAPSULATION("VLAN/QinQ tags or a link type miruo cannot read"),
    ENCAPSULATED_COPIES_MERGED("the same 4-tuple also seen in VLAN/QinQ frames: miruo counts the untagged ones, tcpscope (no VLAN in its key) merges all"),
    PARTIAL("first seen mid-stream: miruo ignores connections without their SYN"),
    OPEN_AT_END_OF_CAPTURE("still open when the file ended: miruo never prints those"),
    TIMEOUT_ON_CAPTURE_CLOCK("tcpscope times sessions out on the capture clock; miruo has no timeouts in file mode"),
    RULE_STARTS_ON_SYN("tcpscope flags the SYN itself (fragmented SYN); miruo only looks at later segments"),
    // the reference data
    REFERENCE_FULL_WIDTH_ENDPOINT("an endpoint of 21+ characters fills miruo's %21s column; no such session is in the reference rows, though miruo prints them");

    final String meaning;

    Difference(String meaning) {
      this.meaning = meaning;
    }
  }

  /** The verdict on one row or one extra session. */
  record Finding(String capture, MiruoRule rule, String session, Set<Difference> explained,
      String failure) {
    boolean failed() {
      return failure != null;
    }
  }

  private static final String TSV = "expected-miruo.tsv";

  @TestFactory
  Stream<DynamicTest> everySessionMiruoPrintedAndEveryExtraOneIsMatchedOrExplained() {
    List<Path> files = ConformanceCorpus.find(TSV);
    assertThat(files).as("%s files under the corpus", TSV).isNotEmpty();
    return files.stream().map(tsv -> dynamicTest(
        ConformanceCorpus.dir().relativize(tsv).toString(), () -> check(tsv)));
  }

  private void check(Path tsv) {
    Path folder = tsv.getParent();
    Map<String, Map<MiruoRule, List<Tsv.Row>>> expected = new TreeMap<>();
    List<Finding> findings = new ArrayList<>();
    for (Tsv.Row row : Tsv.read(tsv)) {
      MiruoRule rule;
      try {
        rule = MiruoRule.valueOf(row.get("rule"));
      } catch (IllegalArgumentException e) {
        findings.add(new Finding(row.get("pcap"), null, row.toString(), null,
            "unknown rule " + row.get("rule")));
        continue;
      }
      expected.computeIfAbsent(row.get("pcap"), k -> new LinkedHashMap<>())
          .computeIfAbsent(rule, k -> new ArrayList<>()).add(row);
    }
    Set<String> captures = new TreeSet<>(ConformanceCorpus.captures(folder));
    captures.addAll(expected.keySet());

    List<String> notInReference = new ArrayList<>();
    int rows = 0;
    for (String capture : captures) {
      Path file = folder.resolve(capture);
      Map<MiruoRule, List<Tsv.Row>> byRule = expected.getOrDefault(capture, Map.of());
      if (!Files.isRegularFile(file)) {
        byRule.values().forEach(list -> list.forEach(row -> findings.add(new Finding(capture,
            MiruoRule.valueOf(row.get("rule")), row.toString(), null, "capture file missing"))));
        continue;
      }
      List<CaptureCheck> checks = new ArrayList<>();
      for (MiruoRule rule : MiruoRule.values()) {
        checks.add(new CaptureCheck(capture, file, rule, byRule.getOrDefault(rule, List.of())));
      }
      if (byRule.isEmpty()) {
        // No row for any rule: either miruo printed nothing, or it was not run on this capture.
        // The model (which reproduces miruo's rows wherever there are some) tells which.
        int wouldPrint = checks.stream().mapToInt(c -> c.model().printed().size()).sum();
        if (wouldPrint > 0) {
          notInReference.add(capture + " (miruo would print " + wouldPrint + " sessions over "
              + "the rules)");
          continue;
        }
      }
      for (CaptureCheck c : checks) {
        rows += c.rows.size();
        findings.addAll(c.compare());
      }
    }
    report(tsv, rows, findings, notInReference);
  }

  private static void report(Path tsv, int rows, List<Finding> findings,
      List<String> notInReference) {
    long matched = findings.stream().filter(f -> !f.failed() && f.explained() == null
        && f.session().startsWith("row")).count();
    Map<Difference, Integer> byName = new TreeMap<>();
    Map<Difference, Integer> rowsByName = new TreeMap<>();
    for (Finding f : findings) {
      if (f.explained() != null) {
        for (Difference d : f.explained()) {
          byName.merge(d, 1, Integer::sum);
          if (f.session().startsWith("row")) {
            rowsByName.merge(d, 1, Integer::sum);
          }
        }
      }
    }
    List<Finding> failures = findings.stream().filter(Finding::failed).toList();
    long failedRows = failures.stream().filter(f -> f.session().startsWith("row")).count();
    long explainedRows = findings.stream()
        .filter(f -> f.explained() != null && f.session().startsWith("row")).count();
    long explainedExtras = findings.stream()
        .filter(f -> f.explained() != null && !f.session().startsWith("row")).count();
    StringBuilder out = new StringBuilder();
    out.append("\n== miruo conformance: ").append(tsv).append('\n');
    out.append(String.format("rows %d: matched %d, explained %d, failed %d%n", rows, matched,
        explainedRows, failedRows));
    out.append(String.format("extra tcpscope sessions: explained %d, failed %d%n",
        explainedExtras,
        failures.size() - failedRows));
    out.append("explained differences (rows + extras):\n");
    for (Map.Entry<Difference, Integer> e : byName.entrySet()) {
      out.append(String.format("  %-42s %5d  (rows %d)  %s%n", e.getKey(), e.getValue(),
          rowsByName.getOrDefault(e.getKey(), 0), e.getKey().meaning));
    }
    if (!notInReference.isEmpty()) {
      out.append("captures with no miruo row although miruo would print sessions (not in the "
          + "reference run, not checked): ").append(notInReference.size()).append('\n');
      notInReference.forEach(n -> out.append("  ").append(n).append('\n'));
    }
    if (Boolean.getBoolean("conformance.verbose")) {
      out.append("explained, one by one:\n");
      findings.stream().filter(f -> f.explained() != null).forEach(f -> out.append("  ")
          .append(f.explained()).append(' ').append(f.capture()).append(' ').append(f.rule())
          .append(' ').append(f.session()).append('\n'));
    }
    if (!failures.isEmpty()) {
      out.append("FAILURES:\n");
      failures.forEach(f -> out.append("  ").append(f.capture()).append(' ').append(f.rule())
          .append(' ').append(f.session()).append(": ").append(f.failure()).append('\n'));
    }
    System.out.print(out);
    assertThat(failures).as(out.toString()).isEmpty();
  }

  /** One capture under one rule: miruo's rows, tcpscope's reports, miruo's model. */
  private static final class CaptureCheck {
    final String capture;
    final Path file;
    final MiruoRule rule;
    final List<Tsv.Row> rows;
    private CorpusRun run;
    private MiruoModel model;
    private CorpusRun allRun;

    CaptureCheck(String capture, Path file, MiruoRule rule, List<Tsv.Row> rows) {
      this.capture = capture;
      this.file = file;
      this.rule = rule;
      this.rows = rows;
    }

    CorpusRun run() {
      if (run == null) {
        run = CorpusRun.of(file, rule.settings());
      }
      return run;
    }

    MiruoModel model() {
      if (model == null) {
        model = MiruoModel.run(run().packets, rule.options());
      }
      return model;
    }

    /** The same capture with --all, to see sessions tcpscope tracked but did not report. */
    CorpusRun allRun() {
      if (allRun == null) {
        allRun = CorpusRun.of(file, rule.settings().withAll(true));
      }
      return allRun;
    }

    List<Finding> compare() {
      List<Finding> findings = new ArrayList<>();
      Set<SessionReport> matched = new HashSet<>();
      for (Tsv.Row row : rows) {
        SessionReport report = find(run().reports, row, matched);
        String name = "row " + row + " " + row.get("client") + " > " + row.get("server") + " "
            + row.get("t0");
        if (report != null) {
          matched.add(report);
          findings.add(compareCounts(name, row, report));
        } else {
          findings.add(explainMissing(name, row));
        }
      }
      for (SessionReport r : run().reports) {
        if (!matched.contains(r)) {
          findings.add(explainExtra(r));
        }
      }
      return findings;
    }

    private static SessionReport find(List<SessionReport> reports, Tsv.Row row,
        Set<SessionReport> taken) {
      for (SessionReport r : reports) {
        if (!taken.contains(r)
            && (r.clientIp() + ":" + r.clientPort()).equals(row.get("client"))
            && (r.serverIp() + ":" + r.serverPort()).equals(row.get("server"))
            && Tod.matches(r.startUs(), row.get("t0"))) {
          return r;
        }
      }
      return null;
    }

    private MiruoModel.Sess modelSession(String client, String server, long startUs) {
      for (MiruoModel.Sess s : model().sessions) {
        if (s.client.equals(client) && s.server.equals(server) && s.t0Us == startUs) {
          return s;
        }
      }
      return null;
    }

    private Finding ok(String session) {
      return new Finding(capture, rule, session, null, null);
    }

    private Finding explained(String session, Difference d) {
      return new Finding(capture, rule, session, EnumSet.of(d), null);
    }

    private Finding explained(String session, Set<Difference> why) {
      return new Finding(capture, rule, session, why, null);
    }

    private Finding failed(String session, String why) {
      return new Finding(capture, rule, session, null, why);
    }

    private Finding compareCounts(String name, Tsv.Row row, SessionReport r) {
      long segments = Long.parseLong(row.get("segments"));
      long allBytes = Long.parseLong(row.get("all_bytes"));
      if (r.segments() == segments && r.bytes() == allBytes) {
        return ok(name);
      }
      String counts = "tcpscope " + r.segments() + " segments " + r.bytes() + " bytes, miruo "
          + segments + " segments " + allBytes + " all_bytes";
      MiruoModel.Sess m = modelSession(row.get("client"), row.get("server"), r.startUs());
      if (m == null) {
        return failed(name, counts + "; miruo's model has no such session");
      }
      // What tcpscope counted that miruo did not: the copies miruo dropped, the segments its
      // limits refused, and segments miruo never looked at as part of this session.
      Set<Integer> seen = new HashSet<>();
      m.seen.forEach(p -> seen.add(p.index()));
      List<Packet> unseen = packetsOf(r).stream().filter(p -> !seen.contains(p.index())).toList();
      long droppedBytes = m.dropped.stream().mapToLong(Packet::frameLength).sum();
      long unseenBytes = unseen.stream().mapToLong(Packet::frameLength).sum();
      long refusedBytes = m.refusedBytes;
      boolean adds = r.segments() == segments + m.dropped.size() + m.refused + unseen.size()
          && r.bytes() == allBytes + droppedBytes + refusedBytes + unseenBytes;
      String detail = counts + "; miruo dropped " + m.dropped.size() + " copies (" + droppedBytes
          + " bytes), refused " + m.refused + ", never saw " + unseen.size() + " ("
          + unseenBytes + " bytes) of tcpscope's segments";
      if (!adds) {
        return failed(name, detail);
      }
      Set<Difference> why = EnumSet.noneOf(Difference.class);
      if (!m.dropped.isEmpty()) {
        why.add(Difference.MIRUO_DROPS_RETRANSMITTED_COPIES);
      }
      if (m.refused > 0) {
        why.add(Difference.MIRUO_SESSION_OR_SEGMENT_LIMIT);
      }
      for (Packet p : unseen) {
        if (p.encapsulation() != null) {
          why.add(Difference.ENCAPSULATED_COPIES_MERGED);
        } else if (m.closedBy != null && p.index() > m.closedBy.index()
            && m.reported.stream().anyMatch(c -> c.copy() == m.closedBy)) {
          why.add(Difference.MIRUO_CLOSES_ON_RETRANSMITTED_COPY);
        } else {
          return failed(name, detail + ", among them #" + p.index() + " which no known "
              + "difference accounts for");
        }
      }
      return explained(name, why);
    }

    /** A session miruo printed that tcpscope did not report under this rule. */
    private Finding explainMissing(String name, Tsv.Row row) {
      SessionReport seen = find(allRun().reports, row, Set.of());
      MiruoModel.Sess m = null;
      for (MiruoModel.Sess s : model().sessions) {
        if (s.client.equals(row.get("client")) && s.server.equals(row.get("server"))
            && Tod.matches(s.t0Us, row.get("t0"))) {
          m = s;
        }
      }
      if (seen == null) {
        return failed(name, "tcpscope has no such session at all");
      }
      String what = "tcpscope tracked it (" + seen.segments() + " segments, " + seen.endedBy()
          + ", " + seen.connState() + ") but did not report it";
      if (m == null) {
        return failed(name, what + "; miruo's model has no such session");
      }
      if ((rule == MiruoRule.RETRANSMIT || rule == MiruoRule.RETRANSMIT_200)
          && !m.reported.isEmpty() && allLookAlikes(m)) {
        return explained(name, Difference.KEEPALIVE_OR_WRAP_TAKEN_FOR_RETRANSMISSION);
      }
      MiruoModel.Sess before = previousOnSameConnection(m);
      if (before != null && "duplicate".equals(before.ending) && rule != MiruoRule.ALL) {
        return explained(name, Difference.MIRUO_SHOWS_SESSION_AFTER_DUPLICATE_SYN);
      }
      return failed(name, what + "; miruo reported copies " + m.reported.size());
    }

    private boolean allLookAlikes(MiruoModel.Sess m) {
      return m.reported.stream().allMatch(c -> notARetransmission(c, m));
    }

    private MiruoModel.Sess previousOnSameConnection(MiruoModel.Sess m) {
      MiruoModel.Sess before = null;
      for (MiruoModel.Sess s : model().sessions) {
        if (s == m) {
          return before;
        }
        boolean same = (s.client.equals(m.client) && s.server.equals(m.server))
            || (s.client.equals(m.server) && s.server.equals(m.client));
        if (same) {
          before = s;
        }
      }
      return null;
    }

    /**
     * Whether an identical copy miruo reported is, by sequence space, no retransmission: a
     * keep-alive (at most one byte at the sender's highest sequence minus one), a repeated pure
     * ACK, or a segment whose sequence is not behind what its sender had sent (wrap).
     */
    private boolean notARetransmission(MiruoModel.Copy c, MiruoModel.Sess m) {
      Packet copy = c.copy();
      boolean syn = copy.has(0x02);
      boolean fin = copy.has(0x01);
      boolean rst = copy.has(0x04);
      if (syn || rst) {
        return false;
      }
      if (copy.payloadLength() == 0 && !fin) {
        return true; // a repeated pure ACK
      }
      long next = -1;
      for (Packet p : m.seen) {
        if (p == copy) {
          break;
        }
        if (p.srcEndpoint().equals(copy.srcEndpoint())) {
          long end = (p.seq() + p.payloadLength() + (p.has(0x02) ? 1 : 0) + (p.has(0x01) ? 1 : 0))
              & 0xffffffffL;
          if (next < 0 || (int) (end - next) > 0) {
            next = end;
          }
        }
      }
      if (next < 0) {
        return true;
      }
      boolean keepAlive = copy.payloadLength() <= 1 && !fin
          && ((copy.seq() + 1) & 0xffffffffL) == next;
      boolean behind = (int) (copy.seq() - next) < 0;
      return keepAlive || !behind;
    }

    /** A session tcpscope reported under this rule that miruo did not print. */
    private Finding explainExtra(SessionReport r) {
      String client = r.clientIp() + ":" + r.clientPort();
      String server = r.serverIp() + ":" + r.serverPort();
      String name = "extra " + client + " > " + server + " " + Tod.of(r.startUs()) + " "
          + r.reasons() + " " + r.connState() + " " + r.endedBy();
      if (r.clientIp().contains(":")) {
        return explained(name, Difference.IPV6);
      }
      List<Packet> packets = packetsOf(r);
      if (packets.stream().anyMatch(p -> p.encapsulation() != null)) {
        return explained(name, Difference.ENCAPSULATION);
      }
      if (r.partial()) {
        return explained(name, Difference.PARTIAL);
      }
      if (!packets.isEmpty() && packets.get(0).has(0x02) && !packets.get(0).has(0x10)
          && (packets.get(0).flags() & 0xff) != 0x02) {
        return explained(name, Difference.ECN_SYN);
      }
      MiruoModel.Sess m = modelSession(client, server, r.startUs());
      if (m == null) {
        if (model().stoppedAt != null && r.startUs() >= model().stoppedAt.tsUs()) {
          return explained(name, Difference.MIRUO_STOPPED);
        }
        boolean refused = model().droppedSyns.stream().anyMatch(p -> p.srcEndpoint()
            .equals(client) && p.dstEndpoint().equals(server) && p.tsUs() == r.startUs());
        if (refused) {
          return explained(name, Difference.MIRUO_SESSION_OR_SEGMENT_LIMIT);
        }
        return failed(name, "miruo's model has no such session");
      }
      if (m.printed) {
        if (client.length() >= 21 || server.length() >= 21) {
          return explained(name, Difference.REFERENCE_FULL_WIDTH_ENDPOINT);
        }
        return failed(name, "miruo's model prints it (" + m.pkall + " segments) but miruo did not");
      }
      if ("end_of_capture".equals(r.endedBy()) && "open".equals(m.ending)) {
        return explained(name, Difference.OPEN_AT_END_OF_CAPTURE);
      }
      if ("timeout".equals(r.endedBy())
          && ("open".equals(m.ending) || r.reasons().equals(List.of("TIMEOUT")))) {
        // miruo never ended it (no timeouts in file mode), or only the timeout flags it
        return explained(name, Difference.TIMEOUT_ON_CAPTURE_CLOCK);
      }
      if (model().stoppedAt != null && "open".equals(m.ending)) {
        return explained(name, Difference.MIRUO_STOPPED);
      }
      if (m.viewClearedByRst && r.reasons().stream()
          .anyMatch(reason -> !reason.equals("RST") && !reason.equals("RST_AFTER_FIN"))) {
        // a rule had flagged it before the RST; miruo's RST decision took that back
        return explained(name, Difference.MIRUO_RST_CLEARS_FLAGS);
      }
      if (m.refused > 0) {
        return explained(name, Difference.MIRUO_SESSION_OR_SEGMENT_LIMIT);
      }
      if (r.reasons().contains("RETRANSMIT") && m.reported.isEmpty()
          && hasRetransmissionWithoutIdenticalCopy(r)) {
        return explained(name, Difference.MIRUO_MISSES_RESEGMENTED_RETRANSMIT);
      }
      if (r.reasons().equals(List.of("FRAGMENT")) && !r.shown().isEmpty()
          && r.shown().stream().filter(l -> l.fragment()).allMatch(l -> l.index() == 0)) {
        return explained(name, Difference.RULE_STARTS_ON_SYN);
      }
      return failed(name, "miruo's model tracked it (" + m.pkall + " segments, ended "
          + m.ending + ") and did not print it");
    }

    /**
     * Whether a segment tcpscope flagged as a retransmission has no identical earlier segment
     * (sequence, ack, flags, frame size): the copy miruo's rule would need to see it.
     */
    private boolean hasRetransmissionWithoutIdenticalCopy(SessionReport r) {
      List<Packet> packets = packetsOf(r);
      for (dev.tcpscope.session.engine.ShownLine line : r.shown()) {
        if (line.mark() != dev.tcpscope.session.engine.Mark.FLAGGED
            || (line.payloadLength() == 0 && (line.flags() & 0x01) == 0)) {
          continue;
        }
        boolean identical = packets.stream().anyMatch(p -> p.tsUs() < line.tsUs()
            && p.seq() == line.seq() && p.ack() == line.ack()
            && (p.flags() & 0xff) == (line.flags() & 0xff) && p.frameLength() == line.length());
        if (!identical) {
          return true;
        }
      }
      return false;
    }

    /** The decoded segments of a reported session: its connection, from its start to its end. */
    private List<Packet> packetsOf(SessionReport r) {
      String a = r.clientIp() + ":" + r.clientPort();
      String b = r.serverIp() + ":" + r.serverPort();
      List<Packet> out = new ArrayList<>();
      for (Packet p : run().packets) {
        if (p.inNoSession() || p.tsUs() < r.startUs() || p.tsUs() > r.endUs()) {
          continue;
        }
        String s = p.srcEndpoint();
        String d = p.dstEndpoint();
        if ((s.equals(a) && d.equals(b)) || (s.equals(b) && d.equals(a))) {
          out.add(p);
        }
      }
      return out;
    }
  }
}
