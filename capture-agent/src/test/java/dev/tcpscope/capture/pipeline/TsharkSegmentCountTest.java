package dev.tcpscope.capture.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.decode.DecodeResult;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Per capture, the TCP segments the decoder yields equal the packets {@code tshark -r FILE -Y
 * tcp} shows, on Zeek's traces and the real-stack captures of the shared corpus (and on any
 * further folders named in the system property {@code tcpscope.tshark.captures}, separated by
 * the path separator: captures held back from the corpus are checked the same way).
 *
 * <p>Where the two disagree on purpose, {@link #KNOWN} names the capture and the reason, and
 * the test checks that exactly the missing packets sit in the counter that reason names.
 */
class TsharkSegmentCountTest {

  /** A capture tshark shows more TCP in, and the decoder counter the difference lands in. */
  private record Disagreement(DecodeResult countedAs, String why) {}

  private static final Map<String, Disagreement> KNOWN = Map.of(
      "gre-aruba-amsdu.pcap", new Disagreement(DecodeResult.NOT_IP,
          "GRE protocol 0x8240 (Aruba WLAN) carries raw 802.11 frames, here an A-MSDU holding"
              + " two TCP segments; the decoder opens no 802.11 inside a tunnel"),
      "vntag_vlan_sandwich_clean.pcap", new Disagreement(DecodeResult.TCP_ERROR,
          "the snap length (70) cuts the SYN-ACK's 40-byte TCP header after 22 bytes; tshark"
              + " shows the partial header, the decoder counts a TCP header error as miruo"
              + " does (a segment needs its whole header, options included)"));

  private static final ExecutorService TSHARK = Executors.newFixedThreadPool(2);

  @AfterAll
  static void stopTshark() {
    TSHARK.shutdownNow();
  }

  @TestFactory
  Stream<DynamicTest> segmentCountsEqualTsharks() throws IOException {
    Assumptions.assumeTrue(tsharkAvailable(), "tshark is not installed (Debian: apt-get install"
        + " tshark; .ci/run installs it), so there is nothing to compare the counts with");
    List<Path> roots = new ArrayList<>();
    Path corpus = MalformedCorpusTest.corpus();
    for (String folder : List.of("zeek", "real")) {
      Path dir = corpus.resolve(folder);
      Assumptions.assumeTrue(Files.isDirectory(dir), "corpus not found at "
          + dir.toAbsolutePath().normalize() + ": ../shared is missing beside the project");
      roots.add(dir);
    }
    String extra = System.getProperty("tcpscope.tshark.captures", "");
    for (String folder : extra.split(File.pathSeparator)) {
      if (!folder.isBlank()) {
        roots.add(Path.of(folder));
      }
    }
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(TsharkSegmentCountTest::isCapture).sorted().forEach(files::add);
      }
    }
    assertThat(files).isNotEmpty();
    // tshark starts in ~0.15 s per file: run it for all files at once, two at a time.
    List<CompletableFuture<Long>> counts = files.stream()
        .map(f -> CompletableFuture.supplyAsync(() -> tsharkTcpPackets(f), TSHARK)).toList();
    return Stream.iterate(0, i -> i < files.size(), i -> i + 1).map(i -> {
      Path file = files.get(i);
      return DynamicTest.dynamicTest(file.getParent().getFileName() + "/" + file.getFileName(),
          file.toUri(), () -> compare(file, counts.get(i).get(2, TimeUnit.MINUTES)));
    });
  }

  private static void compare(Path file, long tshark) throws IOException {
    CaptureFileReplay replay = new CaptureFileReplay();
    replay.replay(file.toString(), segment -> { });
    DecodeCounters counters = replay.counters();
    Disagreement known = KNOWN.get(file.getFileName().toString());
    if (known == null) {
      assertThat(counters.segments()).as("segments of %s (%s) against tshark -Y tcp", file,
          counters.summary()).isEqualTo(tshark);
    } else {
      assertThat(tshark - counters.segments())
          .as("%s: %s; counters %s", file, known.why(), counters.summary())
          .isPositive()
          .isEqualTo(counters.get(known.countedAs()));
    }
  }

  private static long tsharkTcpPackets(Path file) {
    ProcessBuilder tshark = new ProcessBuilder("tshark", "-n", "-r", file.toString(),
        "-Y", "tcp", "-T", "fields", "-e", "frame.number")
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      Process process = tshark.start();
      long lines;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines = out.lines().filter(l -> !l.isBlank()).count();
      }
      // A capture cut short makes tshark exit 2 after the packets it read: those still count.
      process.waitFor(1, TimeUnit.MINUTES);
      return lines;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean tsharkAvailable() {
    try {
      Process p = new ProcessBuilder("tshark", "--version")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean isCapture(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file)
        && (name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".pcap.gz"));
  }
}
