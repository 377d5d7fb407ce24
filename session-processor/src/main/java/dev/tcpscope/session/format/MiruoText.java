package dev.tcpscope.session.format;

import dev.tcpscope.session.engine.Mark;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.ShownLine;
import dev.tcpscope.session.engine.ZeekConnection;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/**
 * A reported session in miruo's text layout: the header line, one line per shown segment
 * (client state, arrows and flags, server state, seq/ack, size, fragment mark, options), the
 * {@code ****} line where segments were skipped, and a closing line for sessions that ended
 * without a close (timeout, duplicate SYN, end of the capture). Colours are miruo's.
 */
public final class MiruoText {
  private static final String SEPARATOR = "-".repeat(79);
  private static final int RED = 1;
  private static final int GREEN = 2;
  private static final int YELLOW = 3;
  private static final int BLUE = 4;

  private final boolean colour;
  private final boolean quiet;
  private final ZoneId zone;

  /**
   * @param colour ANSI colours as miruo uses them (-C 1)
   * @param quiet the narrower layout without ids, sizes and options (-q)
   * @param zone the time zone of the time-of-day column (miruo: local time)
   */
  public MiruoText(boolean colour, boolean quiet, ZoneId zone) {
    this.colour = colour;
    this.quiet = quiet;
    this.zone = zone;
  }

  public String format(SessionReport r) {
    StringBuilder out = new StringBuilder(256 + r.shown().size() * 120);
    int sid = (int) (r.sessionId() % 10000);
    long durationMs = (r.endUs() - r.startUs()) / 1000;
    String client = endpoint(r.clientIp(), r.clientPort());
    String server = endpoint(r.serverIp(), r.serverPort());
    if (!quiet) {
      out.append(SEPARATOR).append('\n');
    }
    out.append(on(YELLOW));
    if (quiet) {
      out.append(String.format("%8d.%03d|%21s == %-21s|%dseg(%d)", durationMs / 1000,
          durationMs % 1000, client, server, r.segments(), r.bytes()));
    } else {
      out.append(String.format("%04d %13d.%03d |%21s == %-21s| Total %d segments, %d bytes",
          sid, durationMs / 1000, durationMs % 1000, client, server, r.segments(), r.bytes()));
    }
    out.append(off(YELLOW)).append(" [").append(String.join(",", r.reasons()));
    out.append(r.reasons().isEmpty() ? "" : " ");
    if (r.zeekConnections().isEmpty()) {
      zeek(out, r.connState(), r.history());
    } else {
      // Zeek would log several connections for this session: each with its state and history.
      for (int i = 0; i < r.zeekConnections().size(); i++) {
        ZeekConnection c = r.zeekConnections().get(i);
        zeek(out.append(i > 0 ? " | " : ""), c.connState(), c.history());
      }
    }
    out.append(r.partial() ? " partial" : "").append("]\n");

    List<ShownLine> lines = r.shown();
    for (int i = 0; i < lines.size(); i++) {
      ShownLine line = lines.get(i);
      segmentLine(out, sid, line);
      if (line.http() != null) {
        // miruo's DPI line, green, under the segment that carried it
        out.append(on(GREEN)).append(line.httpResponse()
            ? "DPI:HTTP:ResponseLine >>> " : "DPI:HTTP:RequestLine >>>> ").append(line.http())
            .append(off(GREEN)).append('\n');
      }
      int nextIndex = i + 1 < lines.size() ? lines.get(i + 1).index() : (int) r.segments();
      if (nextIndex > line.index() + 1) {
        out.append(quiet
            ? String.format("%12s|%46s|%n", "", "")
            : String.format("%04d:**** %12s |%46s|%n", sid, "", ""));
      }
    }
    String ending = switch (r.endedBy()) {
      case "timeout" -> "time out";
      case "duplicate_syn" -> "Duplicate connection(packet loss?)";
      case "end_of_capture" -> "open at end of capture";
      default -> null;
    };
    if (ending != null) {
      int left = Math.max(0, 46 - ending.length());
      int right = left / 2;
      left -= right;
      String centred = " ".repeat(left) + ending + " ".repeat(right);
      out.append(on(RED));
      out.append(quiet
          ? String.format("%s|%s|", time(r.endUs()), centred)
          : String.format("%04d:%04d %s |%s|", sid, r.segments() % 10000, time(r.endUs()), centred));
      out.append(off(RED)).append('\n');
    }
    return out.toString();
  }

  private static void zeek(StringBuilder out, String connState, String history) {
    out.append(connState).append(' ').append(history.isEmpty() ? "-" : history);
  }

  private void segmentLine(StringBuilder out, int sid, ShownLine line) {
    int colourCode = colourOf(line.mark());
    String arrow = line.fromClient() ? ">" : "<";
    out.append(on(colourCode));
    if (quiet) {
      out.append(String.format("%s|%18s %s%s%s %-18s|%08X/%08X", time(line.tsUs()),
          line.clientState(), arrow, line.flagText(), arrow, line.serverState(), line.seq(),
          line.ack()));
    } else {
      out.append(String.format("%04d:%04d %s |%18s %s%s%s %-18s| %08X/%08X %4d %s <%s>", sid,
          line.index() % 10000, time(line.tsUs()), line.clientState(), arrow, line.flagText(),
          arrow, line.serverState(), line.seq(), line.ack(), line.length(),
          line.fragment() ? "F" : "-", line.options()));
    }
    out.append(off(colourCode)).append('\n');
  }

  private static int colourOf(Mark mark) {
    return switch (mark) {
      case HANDSHAKE -> YELLOW;
      case FLAGGED, UNEXPECTED -> RED;
      case ORIGINAL -> GREEN;
      case CLOSED -> BLUE;
      case NONE -> 0;
    };
  }

  private String on(int code) {
    return colour && code != 0 ? "\u001b[3" + code + "m" : "";
  }

  private String off(int code) {
    return colour && code != 0 ? "\u001b[39m" : "";
  }

  private String time(long tsUs) {
    LocalTime t = Instant.ofEpochSecond(Math.floorDiv(tsUs, 1_000_000L),
        Math.floorMod(tsUs, 1_000_000L) * 1000).atZone(zone).toLocalTime();
    return String.format("%02d:%02d:%02d.%03d", t.getHour(), t.getMinute(), t.getSecond(),
        t.getNano() / 1_000_000);
  }

  private static String endpoint(String ip, int port) {
    return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
  }
}
