package dev.tcpscope.capture.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.SegmentInvariants;
import dev.tcpscope.capture.pcap.CaptureFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every capture of the shared corpus (beside the project at {@code ../shared/corpus}):
 * the tcpdump project's malformed captures must never make the reader or decoder throw or
 * hang, and every frame must end in exactly one counter; Zeek's traces and the real-stack
 * captures likewise, and each real capture must yield TCP segments.
 */
class MalformedCorpusTest {
  private static final Duration PER_FILE = Duration.ofSeconds(30);

  /** What one replay found; {@code notACapture} holds the format error's message, if any. */
  private record Outcome(DecodeCounters counters, String damage, String notACapture, long badSegments) {}

  @TestFactory
  Stream<DynamicTest> malformedCapturesNeverThrowAndCountEveryFrame() throws IOException {
    return filesUnder("malformed", Files::isRegularFile).map(file -> DynamicTest.dynamicTest(
        name(file), file.toUri(), () -> replayAndCheck(file)));
  }

  @TestFactory
  Stream<DynamicTest> zeekTracesNeverThrowAndCountEveryFrame() throws IOException {
    return filesUnder("zeek", MalformedCorpusTest::isCapture).map(file -> DynamicTest.dynamicTest(
        name(file), file.toUri(), () -> replayAndCheck(file)));
  }

  @TestFactory
  Stream<DynamicTest> realStackCapturesDecodeToSegments() throws IOException {
    return filesUnder("real", MalformedCorpusTest::isCapture).map(file -> DynamicTest.dynamicTest(
        name(file), file.toUri(), () -> {
          Outcome outcome = replayAndCheck(file);
          assertThat(outcome.notACapture()).as("format error").isNull();
          assertThat(outcome.counters().segments()).as(outcome.counters().summary()).isPositive();
          assertThat(outcome.damage()).as("damage").isNull();
        }));
  }

  private static Outcome replayAndCheck(Path file) {
    Outcome outcome = assertTimeoutPreemptively(PER_FILE, () -> replay(file), "replay of " + file);
    if (outcome.notACapture() != null) {
      assertThat(outcome.notACapture()).as("CaptureFormatException message").isNotBlank();
      return outcome;
    }
    DecodeCounters counters = outcome.counters();
    long sum = 0;
    for (DecodeResult result : DecodeResult.all()) {
      assertThat(counters.get(result)).isNotNegative();
      sum += counters.get(result);
    }
    assertThat(counters.frames()).as(counters.summary()).isEqualTo(sum);
    assertThat(outcome.badSegments()).as("segments pointing outside their frame").isZero();
    return outcome;
  }

  /** Replays one file; a CaptureFormatException (not a capture at all) is an outcome, not a failure. */
  private static Outcome replay(Path file) throws IOException {
    CaptureFileReplay replay = new CaptureFileReplay();
    long[] bad = {0};
    try {
      replay.replay(file.toString(), segment -> {
        if (!liesInsideItsFrame(segment)) {
          bad[0]++;
        }
      });
    } catch (CaptureFormatException e) {
      return new Outcome(replay.counters(), replay.damage(), String.valueOf(e.getMessage()), 0);
    }
    return new Outcome(replay.counters(), replay.damage(), null, bad[0]);
  }

  private static boolean liesInsideItsFrame(DecodedSegment s) {
    return SegmentInvariants.violation(s) == null;
  }

  private static boolean isCapture(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file) && (name.endsWith(".pcap") || name.endsWith(".pcapng"));
  }

  private static Stream<Path> filesUnder(String folder, Predicate<Path> wanted) throws IOException {
    Path dir = corpus().resolve(folder);
    Assumptions.assumeTrue(Files.isDirectory(dir),
        "corpus not found at " + dir.toAbsolutePath().normalize()
            + ": ../shared is missing beside the project");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(wanted).sorted().toList();
    }
    assertThat(files).as("captures in " + dir).isNotEmpty();
    return files.stream();
  }

  static Path corpus() {
    String configured = System.getProperty("tcpscope.corpus");
    if (configured != null && Files.isDirectory(Path.of(configured))) {
      return Path.of(configured);
    }
    return Path.of("../../shared/corpus"); // relative to the module directory
  }

  private static String name(Path file) {
    return corpus().relativize(file).toString();
  }
}
