package dev.tcpscope.cli.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tcpscope.cli.conformance.CorpusRun.Packet;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.ZeekConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * tcpscope's Zeek vocabulary against Zeek's own conn.log baselines on the shared corpus (every
 * {@code expected-zeek-conn.tsv} under it): each row is matched with the connection tcpscope's
 * Zeek view gives for the same endpoints starting at the row's {@code ts} (a session's first
 * connection, or one Zeek would have begun inside it), and {@code conn_state} must agree on at
 * least 95% of the rows. Traces Zeek read with checksums verified are replayed the same way
 * (bad IPv4 header checksums dropped, bad TCP checksums marked). A row whose originator is
 * tcpscope's responder (Zeek's likely_server_ports depends on the analyzers it loaded) is
 * "flipped" and compared as its mirror image. Every disagreement is listed with the reason the
 * test finds for it; history is compared and reported the same way.
 */
class ZeekConformanceTest {
  private static final double REQUIRED_CONN_STATE_AGREEMENT = 0.95;
  private static final String TSV = "expected-zeek-conn.tsv";

  /** Why tcpscope's Zeek view and Zeek's row may differ. */
  enum Difference {
    NOT_DECODED("tcpscope decoded no segment of this connection (see the decoder's counters)"),
    NO_CONNECTION_STARTS_THERE("no connection of tcpscope's Zeek view begins at the row's ts"),
    ZEEK_ROW_ENDS_EARLY("Zeek's row counts fewer packets than the connection has: something"
        + " beyond TCP (an application analyzer) stopped Zeek's tracking"),
    SESSION_TIMED_OUT_FIRST("tcpscope's session timed out (miruo's 30 s in a closing state, 900 s"
        + " otherwise) while Zeek's connection went on (its inactivity timeout is 5 min): the rest"
        + " is another tcpscope session"),
    ANALYZER_LETTERS("history letters written by Zeek's application analyzers (not TCP's)"),
    GAP_LETTERS("content-gap letters depend on whether Zeek reassembled the stream (mode)"),
    UNCLASSIFIED("no known reason");

    final String meaning;

    Difference(String meaning) {
      this.meaning = meaning;
    }
  }

  /** One of the connections tcpscope's Zeek view holds, with its endpoints. */
  record Candidate(SessionReport session, ZeekConnection connection, String orig, String resp) {}

  /** The verdict on one row. */
  record Verdict(Tsv.Row row, Candidate match, boolean flipped, boolean stateAgrees,
      boolean historyAgrees, Difference stateWhy, Difference historyWhy, String detail) {}

  @TestFactory
  Stream<DynamicTest> connStateAgreesWithZeekOnAtLeast95PercentOfItsConnections() {
    List<Path> files = ConformanceCorpus.find(TSV);
    assertThat(files).as("%s files under the corpus", TSV).isNotEmpty();
    return files.stream().map(tsv -> dynamicTest(
        ConformanceCorpus.dir().relativize(tsv).toString(), () -> check(tsv)));
  }

  private void check(Path tsv) {
    Map<String, CorpusRun> runs = new HashMap<>();
    List<Verdict> verdicts = new ArrayList<>();
    for (Tsv.Row row : Tsv.read(tsv)) {
      Path trace = tsv.getParent().resolve(row.get("trace"));
      assertThat(trace).as("capture of %s", row).isRegularFile();
      boolean verified = "verified".equals(row.get("checksums"));
      CorpusRun run = runs.computeIfAbsent(trace + "|" + verified,
          k -> CorpusRun.of(trace, RuleSettings.defaults().withAll(true), verified));
      verdicts.add(judge(row, run));
    }
    report(tsv, verdicts);
  }

  private static Verdict judge(Tsv.Row row, CorpusRun run) {
    long ts = Math.round(Double.parseDouble(row.get("ts")) * 1e6);
    String orig = row.get("orig_h") + ":" + row.get("orig_p");
    String resp = row.get("resp_h") + ":" + row.get("resp_p");
    String zeekState = row.get("conn_state");
    String zeekHistory = row.get("history").equals("-") ? "" : row.get("history");
    Candidate match = null;
    for (Candidate c : candidates(run)) {
      boolean same = (c.orig.equals(orig) && c.resp.equals(resp))
          || (c.orig.equals(resp) && c.resp.equals(orig));
      if (same && Math.abs(c.connection.startUs() - ts) <= 1) {
        match = c;
      }
    }
    if (match == null) {
      boolean decoded = run.packets.stream().anyMatch(p -> connects(p, orig, resp));
      Difference why = decoded ? Difference.NO_CONNECTION_STARTS_THERE : Difference.NOT_DECODED;
      String detail = decoded
          ? "tcpscope's connections of these endpoints begin at " + starts(run, orig, resp)
          : "decoder: " + run.counters.summary();
      return new Verdict(row, null, false, false, false, why, why, detail);
    }
    boolean flipped = !match.orig.equals(orig);
    String state = flipped ? mirror(match.connection.connState()) : match.connection.connState();
    String history = flipped ? mirrorHistory(match.connection.history())
        : match.connection.history();
    String expectedHistory = flipped ? zeekHistory.replace("^", "") : zeekHistory;
    boolean stateAgrees = state.equals(zeekState);
    boolean historyAgrees = history.equals(expectedHistory);
    long zeekPackets = Long.parseLong(row.get("orig_pkts")) + Long.parseLong(row.get("resp_pkts"));
    long packets = packetsOf(run, match);
    String detail = "tcpscope " + match.connection.connState() + " " + match.connection.history()
        + (flipped ? " (flipped)" : "") + ", " + packets + " packets; Zeek " + zeekState + " "
        + zeekHistory + ", " + zeekPackets + " packets (" + row.get("zeek_mode") + ", checksums "
        + row.get("checksums") + ")";
    boolean timedOutFirst = "timeout".equals(match.session.endedBy()) && zeekPackets > packets;
    Difference stateWhy = stateAgrees ? null
        : zeekPackets < packets ? Difference.ZEEK_ROW_ENDS_EARLY
        : timedOutFirst ? Difference.SESSION_TIMED_OUT_FIRST : Difference.UNCLASSIFIED;
    Difference historyWhy = historyAgrees ? null : timedOutFirst
        ? Difference.SESSION_TIMED_OUT_FIRST
        : historyReason(history, expectedHistory, zeekPackets < packets);
    return new Verdict(row, match, flipped, stateAgrees, historyAgrees, stateWhy, historyWhy,
        detail);
  }

  private static Difference historyReason(String ours, String zeek, boolean zeekEndsEarly) {
    String zeekTcpLetters = zeek.replaceAll("[^SHADFRCGTWIQshadfrcgtwiq^]", "");
    if (!zeekTcpLetters.equals(zeek) && (zeekTcpLetters.equals(ours)
        || zeekTcpLetters.replaceAll("[gG]", "").equals(ours.replaceAll("[gG]", "")))) {
      // an analyzer's letter, and with it possibly the end of reassembly (no later gaps)
      return Difference.ANALYZER_LETTERS;
    }
    if (ours.replaceAll("[gG]", "").equals(zeekTcpLetters.replaceAll("[gG]", ""))) {
      return Difference.GAP_LETTERS;
    }
    return zeekEndsEarly ? Difference.ZEEK_ROW_ENDS_EARLY : Difference.UNCLASSIFIED;
  }

  /** Every connection of tcpscope's Zeek view, over all sessions of the run. */
  private static List<Candidate> candidates(CorpusRun run) {
    List<Candidate> out = new ArrayList<>();
    for (SessionReport r : run.reports) {
      String client = r.clientIp() + ":" + r.clientPort();
      String server = r.serverIp() + ":" + r.serverPort();
      List<ZeekConnection> connections = r.zeekConnections().isEmpty()
          ? List.of(new ZeekConnection(r.startUs(), true, r.connState(), r.history()))
          : r.zeekConnections();
      for (ZeekConnection c : connections) {
        out.add(new Candidate(r, c, c.origIsClient() ? client : server,
            c.origIsClient() ? server : client));
      }
    }
    return out;
  }

  /** The packets of a matched connection: from its start to the next one of its session. */
  private static long packetsOf(CorpusRun run, Candidate c) {
    long end = c.session.endUs();
    for (ZeekConnection other : c.session.zeekConnections()) {
      if (other.startUs() > c.connection.startUs()) {
        end = Math.min(end, other.startUs() - 1);
      }
    }
    long from = c.connection.startUs();
    long last = end;
    return run.packets.stream().filter(p -> connects(p, c.orig, c.resp) && !p.inNoSession()
        && p.tsUs() >= from && p.tsUs() <= last).count();
  }

  private static boolean connects(Packet p, String a, String b) {
    return (p.srcEndpoint().equals(a) && p.dstEndpoint().equals(b))
        || (p.srcEndpoint().equals(b) && p.dstEndpoint().equals(a));
  }

  private static String starts(CorpusRun run, String a, String b) {
    List<String> out = new ArrayList<>();
    for (Candidate c : candidates(run)) {
      if ((c.orig.equals(a) && c.resp.equals(b)) || (c.orig.equals(b) && c.resp.equals(a))) {
        out.add(String.format(Locale.ROOT, "%.6f", c.connection.startUs() / 1e6));
      }
    }
    return out.isEmpty() ? "(none)" : String.join(", ", out);
  }

  /** conn_state seen from the other side: what it is called with originator and responder swapped. */
  static String mirror(String state) {
    return switch (state) {
      case "SH" -> "SHR";
      case "SHR" -> "SH";
      case "S2" -> "S3";
      case "S3" -> "S2";
      case "RSTO" -> "RSTR";
      case "RSTR" -> "RSTO";
      case "RSTOS0" -> "RSTRH";
      case "RSTRH" -> "RSTOS0";
      default -> state;
    };
  }

  private static String mirrorHistory(String history) {
    StringBuilder out = new StringBuilder(history.length());
    for (char c : history.toCharArray()) {
      if (c != '^') {
        out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
      }
    }
    return out.toString();
  }

  private static void report(Path tsv, List<Verdict> verdicts) {
    int rows = verdicts.size();
    long states = verdicts.stream().filter(Verdict::stateAgrees).count();
    long histories = verdicts.stream().filter(Verdict::historyAgrees).count();
    long flipped = verdicts.stream().filter(Verdict::flipped).count();
    Map<Difference, Integer> stateReasons = new EnumMap<>(Difference.class);
    Map<Difference, Integer> historyReasons = new EnumMap<>(Difference.class);
    StringBuilder out = new StringBuilder();
    out.append("\n== Zeek conformance: ").append(tsv).append('\n');
    out.append(String.format(Locale.ROOT,
        "rows %d: conn_state agrees %d (%.1f%%), history agrees %d (%.1f%%), flipped %d%n",
        rows, states, 100.0 * states / rows, histories, 100.0 * histories / rows, flipped));
    out.append("disagreements:\n");
    for (Verdict v : verdicts) {
      if (v.stateWhy != null) {
        stateReasons.merge(v.stateWhy, 1, Integer::sum);
      }
      if (v.historyWhy != null) {
        historyReasons.merge(v.historyWhy, 1, Integer::sum);
      }
      if (!v.stateAgrees || !v.historyAgrees) {
        out.append(String.format("  %-9s %-20s %s %s %s:%s > %s:%s: %s%n",
            v.stateAgrees ? "history" : "conn_state",
            v.stateAgrees ? v.historyWhy : v.stateWhy, v.row.get("trace"), v.row.get("ts"),
            v.row.get("orig_h"), v.row.get("orig_p"), v.row.get("resp_h"), v.row.get("resp_p"),
            v.detail));
      }
    }
    out.append("conn_state disagreements by reason:\n");
    stateReasons.forEach((d, n) -> out.append(String.format("  %-28s %3d  %s%n", d, n, d.meaning)));
    out.append("history disagreements by reason:\n");
    historyReasons.forEach((d, n) -> out.append(String.format("  %-28s %3d  %s%n", d, n,
        d.meaning)));
    System.out.print(out);
    assertThat((double) states / rows).as(out.toString())
        .isGreaterThanOrEqualTo(REQUIRED_CONN_STATE_AGREEMENT);
    assertThat(Files.isRegularFile(tsv)).isTrue();
  }
}
