package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeCommandTest {

  @Test
  void printsOneJsonLinePerSegmentWithTheTcpSegmentFieldsAndCountersOnStderr() throws Exception {
    String file = Corpus.dir().resolve("real/refused.pcap").toString();
    CommandRun run = CommandRun.of("decode", "--format", "jsonl", file);
    assertThat(run.exitCode()).isZero();
    List<JsonNode> lines = AnalyzeCommandTest.jsonLines(run.out());
    assertThat(lines).hasSize(6);
    JsonNode syn = lines.get(0);
    for (String field : List.of("source", "observer", "ts_us", "src_ip", "src_port", "dst_ip",
        "dst_port", "seq", "ack", "flags", "window", "payload_length", "frame_length",
        "fragmented", "options", "payload_captured", "http_line")) {
      assertThat(syn.has(field)).as(field).isTrue();
    }
    assertThat(syn.get("source").asText()).isEqualTo(file);
    assertThat(syn.get("flags").asInt()).isEqualTo(0x02);
    assertThat(syn.get("dst_port").asInt()).isEqualTo(9);
    assertThat(syn.get("options").asText()).startsWith("mss=1460, sackOK, timestamp");
    assertThat(lines.get(1).get("flags").asInt()).isEqualTo(0x14);
    assertThat(syn.get("payload_captured").isNull()).isTrue();
    assertThat(syn.get("http_line").isNull()).isTrue();
    assertThat(run.err()).contains("frames=6 segments=6");
  }

  @Test
  void aBpfExpressionAfterTheDoubleDashSelectsFrames() throws Exception {
    String file = Corpus.dir().resolve("real/rst-server.pcap").toString();
    CommandRun all = CommandRun.of("decode", file);
    CommandRun one = CommandRun.of("decode", file, "--", "port", "45408");
    assertThat(all.out().lines()).hasSize(18);
    assertThat(one.out().lines()).hasSize(6).allSatisfy(l -> assertThat(l).contains(":45408"));
    assertThat(one.err()).contains("filtered=12");

    CommandRun analyze = CommandRun.of("analyze", "--format", "jsonl", "--no-stats", file, "--",
        "port", "45408");
    assertThat(AnalyzeCommandTest.jsonLines(analyze.out())).singleElement()
        .satisfies(s -> assertThat(s.get("client_port").asInt()).isEqualTo(45408));
  }

  @Test
  void dpiModeHttpShowsTheRequestLineWithoutItsQueryAndSnapCutsAreCounted(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("http.pcap");
    byte[] request = "GET /cart?user=alice HTTP/1.1\r\nHost: shop\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    byte[] response = TcpFrameBuilder.tcp("10.0.0.2", 80, "10.0.0.1", 40000)
        .flags(TcpFlags.ACK | TcpFlags.PSH).payloadLength(1400).build();
    try (PcapFileWriter writer = PcapFileWriter.create(file, LinkType.ETHERNET)) {
      writer.write(1_700_000_000_000_000L, TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 80)
          .flags(TcpFlags.ACK | TcpFlags.PSH).payload(request).build());
      writer.write(1_700_000_000_000_100L, response, 96, response.length); // snap length 96
    }

    CommandRun run = CommandRun.of("decode", "--format", "jsonl", "-m", "http", "--observer",
        "h1", file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> lines = AnalyzeCommandTest.jsonLines(run.out());
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).get("http_line").asText()).isEqualTo("GET /cart HTTP/1.1");
    assertThat(lines.get(0).get("observer").asText()).isEqualTo("h1");
    assertThat(lines.get(0).get("payload_captured").isNull()).isTrue();
    assertThat(lines.get(1).get("payload_captured").asInt()).isEqualTo(96 - 54);
    assertThat(lines.get(1).get("payload_length").asInt()).isEqualTo(1400);
    assertThat(CommandRun.of("decode", "-m", "ftp", file.toString()).err())
        .contains("accepts only 'http'");
  }

  @Test
  void aMistypedFilterIsRefusedBeforeAnythingIsRead() {
    CommandRun run = CommandRun.of("decode", "nonexistent.pcap", "--", "port", "nonsense");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("not accepted by libpcap").doesNotContain("Exception");
  }

  @Test
  void analyzePrintsStatisticsEveryNSecondsOfCaptureTime() throws Exception {
    String file = Corpus.dir().resolve("real/long-connect.pcap").toString();
    CommandRun run = CommandRun.of("analyze", "-s", "1", file);
    assertThat(run.exitCode()).isZero();
    // 4 s of capture, all of it a silent gap: one periodic block when the clock passes the
    // boundary (not one per silent second), then the final block
    long blocks = run.err().lines().filter(l -> l.startsWith("===== Session Statistics")).count();
    assertThat(blocks).isEqualTo(2);
    CommandRun quiet = CommandRun.of("analyze", file);
    assertThat(quiet.err().lines().filter(l -> l.startsWith("===== Session Statistics")))
        .hasSize(1);
  }
}
