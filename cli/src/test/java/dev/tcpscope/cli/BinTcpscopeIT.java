package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's first command as a user runs it: {@code bin/tcpscope} in its own process, on the
 * jar and class path the package phase built. In-process tests share the test class path and
 * so cannot see a dependency missing from {@code cli/target/lib}.
 */
class BinTcpscopeIT {
  private static final Path HOME = Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(HOME.resolve("bin/tcpscope").toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("tcpscope-it-", ".out");
    Path err = Files.createTempFile("tcpscope-it-", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("bin/tcpscope " + String.join(" ", args) + " ran over 120 s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  @Timeout(180)
  void demoRunsFromTheScriptAndPrintsTheRefusedAndAbortedSessions() throws Exception {
    Run run = run("demo", "-C", "0");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("NoClassDefFoundError");
    assertThat(run.out()).contains("192.168.61.88:40002 == 192.168.56.136:8443")
        .contains("192.168.61.88:40003 == 192.168.56.136:80")
        .contains("CLOSED <-A-R--< CLOSED");
    assertThat(run.err()).contains("3 suspicious sessions read from the anomaly topic");
  }

  @Test
  @Timeout(120)
  void analyzeFromTheScriptPrintsTheRefusedCapturesThreeResetSessions() throws Exception {
    Path refused = Corpus.dir().resolve("real/refused.pcap");
    Run run = run("analyze", "--format", "jsonl", refused.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> sessions = AnalyzeCommandTest.jsonLines(run.out());
    assertThat(sessions).hasSize(3).allSatisfy(s ->
        assertThat(s.get("reasons").toString()).contains("\"RST\""));
  }
}
