package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;

/**
 * The whole path on a real broker: capture → agent → embedded KRaft Kafka → Kafka Streams
 * (exactly once) → anomaly topic → viewer, through the commands users run.
 */
class EndToEndPipelineTest {
  private static final Pattern HEADER =
      Pattern.compile("\\|\\s+192\\.168\\.61\\.88:(\\d+) == 192\\.168\\.56\\.136:(\\d+)\\s+\\|"
          + " Total (\\d+) segments, (\\d+) bytes \\[([A-Z_,]+) ");

  private static Set<Path> temporaryDirectories() throws IOException {
    try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("tcpscope-kafka-")
          || p.getFileName().toString().startsWith("tcpscope-state-")).collect(Collectors.toSet());
    }
  }

  @Test
  void demoPrintsExactlyTheSuspiciousSessionsOfTheBundledCaptureAndCleansUp() throws Exception {
    Set<Path> before = temporaryDirectories();
    CommandRun run = CommandRun.of("demo", "-C", "0");
    assertThat(run.exitCode()).as(run.err()).isZero();

    Matcher m = HEADER.matcher(run.out());
    java.util.Map<Integer, String> reasonsByClientPort = new java.util.TreeMap<>();
    while (m.find()) {
      reasonsByClientPort.put(Integer.parseInt(m.group(1)), m.group(5));
    }
    // the refused connect, the server's abort and the late retransmission; never the clean ones
    assertThat(reasonsByClientPort).containsExactly(
        java.util.Map.entry(40002, "RST"),
        java.util.Map.entry(40003, "RST"),
        java.util.Map.entry(40005, "RETRANSMIT"));
    assertThat(run.out()).contains("CLOSED <-A-R--< CLOSED");
    assertThat(run.err()).contains("3 suspicious sessions read from the anomaly topic");
    assertThat(temporaryDirectories()).isEqualTo(before);
  }

  @Test
  void kafkaPathPrintsTheSameSessionsAsAnalyzeForEveryRealCapture() throws Exception {
    List<Path> captures;
    try (Stream<Path> files = Files.list(Corpus.dir().resolve("real"))) {
      captures = files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
          .sorted().toList();
    }
    assertThat(captures).hasSizeGreaterThanOrEqualTo(13);
    // One broker for all: each run of local starts where the topics end, so runs share it.
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      for (Path capture : captures) {
        String file = capture.toString();
        CommandRun offline = CommandRun.of("analyze", "--format", "jsonl", "--observer", "h1",
            file);
        CommandRun kafka = CommandRun.of("local", "--format", "jsonl", "--observer", "h1",
            "--bootstrap-server", broker.bootstrapServers(), "-f", file);
        assertThat(kafka.exitCode()).as(kafka.err()).isZero();
        List<JsonNode> expected = AnalyzeCommandTest.jsonLines(offline.out());
        List<JsonNode> actual = AnalyzeCommandTest.jsonLines(kafka.out());
        // Sessions reach the topic as they end, per partition; compare as sets.
        assertThat(actual).as(capture.getFileName().toString())
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }
}
