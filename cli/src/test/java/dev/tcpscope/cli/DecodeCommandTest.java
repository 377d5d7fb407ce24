package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodeCommandTest {

  @Test
  void printsOneJsonLinePerSegmentWithTheTcpSegmentFieldsAndCountersOnStderr() throws Exception {
    String file = Corpus.dir().resolve("real/refused.pcap").toString();
    CommandRun run = CommandRun.of("decode", "--format", "jsonl", file);
    assertThat(run.exitCode()).isZero();
    List<JsonNode> lines = AnalyzeCommandTest.jsonLines(run.out());
    assertThat(lines).hasSize(6);
    JsonNode syn = lines.get(0);
    for (String field : List.of("source", "ts_us", "src_ip", "src_port", "dst_ip", "dst_port",
        "seq", "ack", "flags", "window", "payload_length", "frame_length", "fragmented",
        "options")) {
      assertThat(syn.has(field)).as(field).isTrue();
    }
    assertThat(syn.get("source").asText()).isEqualTo(file);
    assertThat(syn.get("flags").asInt()).isEqualTo(0x02);
    assertThat(syn.get("dst_port").asInt()).isEqualTo(9);
    assertThat(syn.get("options").asText()).startsWith("mss=1460, sackOK, timestamp");
    assertThat(lines.get(1).get("flags").asInt()).isEqualTo(0x14);
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
