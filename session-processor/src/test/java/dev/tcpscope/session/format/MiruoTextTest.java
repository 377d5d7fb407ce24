package dev.tcpscope.session.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.session.engine.Mark;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.ShownLine;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class MiruoTextTest {
  private static final long T0 = 1_767_225_600_000_000L + 17 * 3_600_000_000L + 57 * 60_000_000L
      + 19_193_000L; // 2026-01-01 17:57:19.193 UTC

  static SessionReport rstSession() {
    return new SessionReport("f.pcap", "obs", 123_453_615L, "192.168.61.88", 38001,
        "192.168.56.136", 3306, T0, T0 + 2_196_000, 4, 270, 2, 140, 2, 130, List.of("RST"),
        "CLOSED", "CLOSED", "RSTR", "ShADr", List.of(), false, "rst", 120L,
        List.of(
            new ShownLine(0, T0, true, 0x02, 0x5C503355L, 0, 74, 0, false,
                "mss=1460, sackOK, timestamp 898447130 0, wscale=7", "SYN_SENT", "SYN_RECV",
                Mark.HANDSHAKE, null),
            new ShownLine(1, T0, false, 0x12, 0x6BCBB846L, 0x5C503356L, 74, 0, false, "",
                "ESTABLISHED", "SYN_RECV", Mark.HANDSHAKE, null),
            new ShownLine(3, T0 + 2_196_000, false, 0x14, 0x6BCBB847L, 0x5C503356L, 54, 0, true,
                "", "CLOSED", "CLOSED", Mark.FLAGGED, null)));
  }

  @Test
  void printsMiruosHeaderSegmentAndElisionLines() {
    String text = new MiruoText(false, false, ZoneOffset.UTC).format(rstSession());
    assertThat(text.lines()).containsExactly(
        "-".repeat(79),
        "3615             2.196 |  192.168.61.88:38001 == 192.168.56.136:3306  | Total 4 segments,"
            + " 270 bytes [RST RSTR ShADr]",
        "3615:0000 17:57:19.193 |          SYN_SENT >----S-> SYN_RECV          | 5C503355/00000000"
            + "   74 - <mss=1460, sackOK, timestamp 898447130 0, wscale=7>",
        "3615:0001 17:57:19.193 |       ESTABLISHED <-A--S-< SYN_RECV          | 6BCBB846/5C503356"
            + "   74 - <>",
        "3615:****              |                                              |",
        "3615:0003 17:57:21.389 |            CLOSED <-A-R--< CLOSED            | 6BCBB847/5C503356"
            + "   54 F <>");
  }

  @Test
  void colourFollowsMiruo() {
    String text = new MiruoText(true, false, ZoneOffset.UTC).format(rstSession());
    List<String> lines = text.lines().toList();
    assertThat(lines.get(1)).startsWith("\u001b[33m3615"); // yellow header
    assertThat(lines.get(2)).startsWith("\u001b[33m").endsWith("\u001b[39m"); // handshake
    assertThat(lines.get(5)).startsWith("\u001b[31m"); // the RST in red
    assertThat(lines.get(4)).doesNotContain("\u001b[");
  }

  @Test
  void quietLayoutLeavesOutIdsSizesAndOptions() {
    String text = new MiruoText(false, true, ZoneOffset.UTC).format(rstSession());
    assertThat(text.lines()).contains(
        "       2.196|  192.168.61.88:38001 == 192.168.56.136:3306  |4seg(270) [RST RSTR ShADr]",
        "17:57:19.193|          SYN_SENT >----S-> SYN_RECV          |5C503355/00000000");
    assertThat(text).doesNotContain("mss=");
  }

  @Test
  void sessionsThatEndWithoutACloseSayHow() {
    SessionReport r = rstSession();
    SessionReport timedOut = new SessionReport(r.source(), r.observer(), r.sessionId(),
        r.clientIp(), r.clientPort(), r.serverIp(), r.serverPort(), r.startUs(), r.endUs(),
        r.segments(), r.bytes(), 0, 0, 0, 0, List.of("TIMEOUT"), "SYN_SENT", "SYN_RECV", "S0",
        "S", List.of(), false, "timeout", null, r.shown().subList(0, 1));
    String text = new MiruoText(false, false, ZoneOffset.UTC).format(timedOut);
    assertThat(text.lines().toList().get(text.lines().toList().size() - 1))
        .isEqualTo("3615:0004 17:57:21.389 |                   time out                   |");
  }
}
