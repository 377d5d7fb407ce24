package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CONTRACT_FIELDS = List.of("source", "observer", "session_id",
      "client_ip", "client_port", "server_ip", "server_port", "start_us", "end_us", "duration_ms",
      "segments", "bytes", "reasons", "client_state", "server_state", "conn_state", "history",
      "partial", "shown");
  private static final List<String> SHOWN_FIELDS = List.of("ts_us", "direction", "flags", "seq",
      "ack", "length", "fragment", "options");

  static List<JsonNode> jsonLines(String out) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  @Test
  void refusedCaptureGivesThreeRstSessionsWithEveryContractField() throws Exception {
    String file = Corpus.dir().resolve("real/refused.pcap").toString();
    CommandRun run = CommandRun.of("analyze", "--format", "jsonl", file);
    assertThat(run.exitCode()).isZero();
    List<JsonNode> sessions = jsonLines(run.out());
    assertThat(sessions).hasSize(3);
    for (JsonNode s : sessions) {
      for (String field : CONTRACT_FIELDS) {
        assertThat(s.has(field)).as("field %s", field).isTrue();
      }
      for (JsonNode line : s.get("shown")) {
        for (String field : SHOWN_FIELDS) {
          assertThat(line.has(field)).as("shown field %s", field).isTrue();
        }
      }
      assertThat(s.get("reasons").toString()).contains("\"RST\"");
      assertThat(s.get("conn_state").asText()).isEqualTo("REJ");
      assertThat(s.get("client_ip").asText()).isEqualTo("10.77.0.1");
      assertThat(s.get("server_port").asInt()).isEqualTo(9);
      assertThat(s.get("segments").asInt()).isEqualTo(2);
      assertThat(s.get("bytes").asInt()).isEqualTo(128); // miruo's all_bytes
      assertThat(s.get("source").asText()).isEqualTo(file);
    }
    assertThat(run.err()).contains("Total Sessions    : 3\n", "  Lookup          : 3\n",
        "    RST           : 3\n", "ActiveSessionMax  : 1\n", "DropSession       : 0\n",
        "Segments          : 6\n", "L2                : 0\n");
  }

  @Test
  void textLayoutOfTheRstServerCapture() {
    String file = Corpus.dir().resolve("real/rst-server.pcap").toString();
    CommandRun run = CommandRun.of("analyze", "-C", "0", "--no-stats", file);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines().filter(l -> l.contains("Total 6 segments, 435 bytes"))).hasSize(3);
    assertThat(run.out().lines().filter(l -> l.contains("CLOSED <-A-R--< CLOSED"))).hasSize(3);
    assertThat(run.out()).contains(":****").doesNotContain("\u001b[");
  }

  /** An HTTP exchange the server aborts with a RST, written with the project's frame builder. */
  static java.nio.file.Path httpCapture() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("http", ".pcap");
    String c = "10.1.0.1";
    String s = "10.1.0.2";
    byte[] request = "GET /index.html?session=secret HTTP/1.1\r\nHost: x\r\n\r\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    long t = 1_767_225_600_000_000L;
    try (dev.tcpscope.capture.pcap.PcapFileWriter w =
        dev.tcpscope.capture.pcap.PcapFileWriter.create(file, 1)) {
      w.write(t, tcp(c, 50000, s, 80).flags(0x02).seq(100).build());
      w.write(t + 100, tcp(s, 80, c, 50000).flags(0x12).seq(900).ack(101).build());
      w.write(t + 200, tcp(c, 50000, s, 80).flags(0x10).seq(101).ack(901).build());
      w.write(t + 300, tcp(c, 50000, s, 80).flags(0x18).seq(101).ack(901).payload(request)
          .build());
      w.write(t + 400, tcp(s, 80, c, 50000).flags(0x18).seq(901).ack(101 + request.length)
          .payload(response).build());
      w.write(t + 500, tcp(s, 80, c, 50000).flags(0x14).seq(901 + response.length)
          .ack(101 + request.length).build());
    }
    return file;
  }

  private static dev.tcpscope.capture.craft.TcpFrameBuilder tcp(String a, int ap, String b,
      int bp) {
    return dev.tcpscope.capture.craft.TcpFrameBuilder.tcp(a, ap, b, bp);
  }

  @Test
  void httpModeShowsTheRequestAndStatusLinesUnderTheSegmentsThatCarriedThem() throws Exception {
    java.nio.file.Path file = httpCapture();
    try {
      CommandRun text = CommandRun.of("analyze", "-m", "http", "-C", "0", "--no-stats",
          file.toString());
      assertThat(text.exitCode()).isZero();
      List<String> lines = text.out().lines().toList();
      int request = lines.indexOf("DPI:HTTP:RequestLine >>>> GET /index.html HTTP/1.1");
      int status = lines.indexOf("DPI:HTTP:ResponseLine >>> HTTP/1.1 404 Not Found");
      assertThat(request).isPositive();
      assertThat(lines.get(request - 1)).contains(">-AP---> ESTABLISHED");
      assertThat(status).isEqualTo(request + 2);
      assertThat(lines.get(status - 1)).contains("<-AP---<");
      assertThat(text.out()).doesNotContain("secret");

      CommandRun json = CommandRun.of("analyze", "-m", "http", "--format", "jsonl",
          file.toString());
      JsonNode session = jsonLines(json.out()).get(0);
      List<String> http = new ArrayList<>();
      session.get("shown").forEach(l -> http.add(l.get("http").isNull() ? null
          : l.get("http").asText()));
      assertThat(http).containsSubsequence("GET /index.html HTTP/1.1", "HTTP/1.1 404 Not Found");

      CommandRun without = CommandRun.of("analyze", "-C", "0", "--no-stats", file.toString());
      assertThat(without.out()).doesNotContain("DPI:HTTP");
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  @Test
  void colourOnRequestQuietLayoutAndStatisticsEverySecondsOfCaptureTime() {
    String refused = Corpus.dir().resolve("real/refused.pcap").toString();
    CommandRun colour = CommandRun.of("analyze", "-C", "1", "--no-stats", refused);
    assertThat(colour.out()).contains("\u001b[33m", "\u001b[31m", "\u001b[39m");
    CommandRun plain = CommandRun.of("analyze", "--no-stats", refused);
    assertThat(plain.out()).as("not a terminal: no colour").doesNotContain("\u001b[");

    CommandRun quiet = CommandRun.of("analyze", "-q", "-C", "0", "--no-stats", refused);
    assertThat(quiet.out()).doesNotContain("-----", "Total", "mss=")
        .contains("|2seg(128) [RST REJ Sr]");

    // long-connect.pcap spans several seconds of capture time
    String longConnect = Corpus.dir().resolve("real/long-connect.pcap").toString();
    CommandRun once = CommandRun.of("analyze", longConnect);
    CommandRun every = CommandRun.of("analyze", "-s", "1", longConnect);
    assertThat(once.err().split("Session Statistics", -1)).hasSize(2);
    assertThat(every.err().split("Session Statistics", -1).length).isGreaterThan(2);
    assertThat(CommandRun.of("analyze", "--no-stats", longConnect).err()).isEmpty();
  }

  @Test
  void wrongOptionValuesSayWhatIsWrongAndWhatIsAccepted() {
    CommandRun rst = CommandRun.of("analyze", "-R", "3", "x.pcap");
    assertThat(rst.exitCode()).isEqualTo(1);
    assertThat(rst.err()).contains("-R/--rst must be 0 (ignore), 1").contains("not 3");

    CommandRun format = CommandRun.of("analyze", "--format", "xml", "x.pcap");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err()).contains("expected one of [text, jsonl]");
  }

  @Test
  void missingOrForeignFilesAreReportedWithoutAStackTrace() throws Exception {
    CommandRun missing = CommandRun.of("analyze", "/nonexistent/capture.pcap");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such file: /nonexistent/capture.pcap")
        .doesNotContain("Exception");

    java.nio.file.Path text = java.nio.file.Files.createTempFile("not-a-capture", ".txt");
    java.nio.file.Files.writeString(text, "hello, I am not a capture file");
    try {
      CommandRun foreign = CommandRun.of("analyze", text.toString());
      assertThat(foreign.exitCode()).isEqualTo(2);
      assertThat(foreign.err()).contains("not a pcap file");
    } finally {
      java.nio.file.Files.delete(text);
    }
  }
}
