package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, item 6: load through {@code bin/tcpscope local} as a user runs it, in a JVM whose
 * heap is capped: 10,000 sessions open at the same time and two million segments. Nothing
 * crashes, the resident memory stays within the heap cap plus RocksDB's budget plus the JVM's
 * own, the anomalies are exactly {@code analyze}'s on the same file, and sessions past
 * {@code -L} are dropped and counted, not held.
 */
class LocalLoadIT {
  private static final Path HOME = Path.of(System.getProperty("tcpscope.home", ".."))
      .toAbsolutePath();
  private static final Pattern DROPPED = Pattern.compile("dropped_sessions=(\\d+)");
  private static final Pattern ANALYZE_DROPPED = Pattern.compile("DropSession\\D*(\\d+)");
  /** The configured limits: the heap of the JVM (the same one broker, agent and processor share). */
  private static final int HEAP_MB = 512;
  /** RocksDB's off-heap budget in local (one shared block cache and write-buffer manager). */
  private static final int ROCKSDB_MB = 64;
  /**
   * The JVM's own beyond its heap (metaspace of ~14k classes of Kafka and Scala, code cache,
   * thread stacks, NIO buffers of the broker's and clients' sockets): measured 330-380 MB.
   */
  private static final int JVM_OWN_MB = 450;

  private static Path work;

  @BeforeAll
  static void workDirectory() throws IOException {
    work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
        "tcpscope-load-");
  }

  @AfterAll
  static void removeWorkDirectory() throws IOException {
    EmbeddedKafkaBroker.deleteRecursively(work);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void tenThousandOpenSessionsAndTwoMillionSegmentsThroughLocalAreJudgedAsAnalyzeJudgesThem()
      throws Exception {
    Path capture = work.resolve("load.pcap");
    long frames = new LoadCapture(10_000, 100).write(capture);
    assertThat(frames).isGreaterThan(2_000_000);

    Run analyze = Run.of(work, "analyze", "--format", "jsonl", "--observer", "load",
        capture.toString());
    assertThat(analyze.exit).as(analyze.err).isZero();
    Run local = Run.of(work, "local", "--format", "jsonl", "--observer", "load", "-f",
        capture.toString());
    System.out.printf("local: %d segments in %.1f s, peak RSS %d MB (heap %d MB); analyze %.1f"
        + " s%n", frames, local.seconds, local.peakRssKb / 1024, HEAP_MB, analyze.seconds);
    assertThat(local.exit).as(local.err).isZero();
    assertThat(local.err).doesNotContain("OutOfMemoryError").contains("segments=" + frames);
    assertThat(dropped(DROPPED, local.err)).as(local.err).isZero();

    List<JsonNode> expected = AnalyzeCommandTest.jsonLines(analyze.out());
    assertThat(expected).as("one in ten retransmits, one in ten is aborted").hasSize(2000);
    List<JsonNode> actual = AnalyzeCommandTest.jsonLines(local.out());
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(local.peakRssKb / 1024).as("peak resident memory, MB")
        .isLessThan(HEAP_MB + ROCKSDB_MB + JVM_OWN_MB);
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void sessionsPastTheSessionLimitAreDroppedAndCountedAndNothingCrashes() throws Exception {
    Path capture = work.resolve("over-limit.pcap");
    long frames = new LoadCapture(10_000, 15).write(capture);
    // -L bounds each session table: analyze has one, local one per partition (two) and observer.
    Run analyze = Run.of(work, "analyze", "--format", "jsonl", "--observer", "load", "-L", "2000",
        capture.toString());
    assertThat(analyze.exit).as(analyze.err).isZero();
    assertThat(dropped(ANALYZE_DROPPED, analyze.err)).as(analyze.err).isPositive();
    Run local = Run.of(work, "local", "--format", "jsonl", "--observer", "load", "-L", "2000",
        "-f", capture.toString());
    System.out.printf("local -L 2000: %d segments in %.1f s, peak RSS %d MB; %s%n", frames,
        local.seconds, local.peakRssKb / 1024, local.err.lines()
            .filter(l -> l.contains("dropped_sessions")).findFirst().orElse(""));
    assertThat(local.exit).as(local.err).isZero();
    assertThat(local.err).doesNotContain("OutOfMemoryError").contains("segments=" + frames);
    assertThat(dropped(DROPPED, local.err)).as(local.err).isPositive();
    assertThat(local.peakRssKb / 1024).as("peak resident memory, MB")
        .isLessThan(HEAP_MB + ROCKSDB_MB + JVM_OWN_MB);
  }

  private static long dropped(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    assertThat(m.find()).as("no %s in:%n%s", pattern, text).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** One {@code bin/tcpscope} run with the heap capped, its resident memory sampled. */
  private record Run(int exit, Path outFile, String err, double seconds, long peakRssKb) {
    String out() throws IOException {
      return Files.readString(outFile, StandardCharsets.UTF_8);
    }

    static Run of(Path work, String... args) throws Exception {
      List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/tcpscope").toString()));
      command.addAll(List.of(args));
      Path out = work.resolve(args[0] + ".out");
      Path err = work.resolve(args[0] + ".err");
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      Map<String, String> env = builder.environment();
      env.put("TCPSCOPE_JAVA_OPTS", "-Xmx" + HEAP_MB + "m");
      long start = System.nanoTime();
      Process p = builder.start(); // bin/tcpscope execs java: the same process
      long peak = 0;
      while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
        peak = Math.max(peak, residentKb(p.pid()));
        if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(4)) {
          p.destroyForcibly();
          throw new AssertionError("tcpscope " + args[0] + " still ran after 4 minutes");
        }
      }
      return new Run(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8),
          (System.nanoTime() - start) / 1e9, peak);
    }

    /** VmHWM: the process's peak resident set so far (0 once it is gone). */
    private static long residentKb(long pid) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmHWM:")) {
            return Long.parseLong(line.replaceAll("\\D", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process ended between the check and the read
      }
      return 0;
    }
  }
}
