package dev.tcpscope.cli.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The shared capture corpus (../shared/corpus), and what it holds, found rather than listed. */
final class ConformanceCorpus {
  private ConformanceCorpus() {}

  static Path dir() {
    String configured = System.getProperty("tcpscope.corpus");
    Path dir = configured != null ? Path.of(configured) : Path.of("../../shared/corpus");
    Assumptions.assumeTrue(Files.isDirectory(dir),
        "the shared capture corpus is not at " + dir.toAbsolutePath()
            + ": check out ../shared beside the project (CI has it)");
    return dir.normalize();
  }

  /** Every file of that name anywhere in the corpus, in a stable order. */
  static List<Path> find(String fileName) {
    try (Stream<Path> files = Files.walk(dir())) {
      return files.filter(p -> p.getFileName().toString().equals(fileName)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The capture files (pcap, pcapng) under a folder, as paths relative to it. */
  static List<String> captures(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.endsWith(".pcap") || name.endsWith(".pcapng");
          })
          .map(p -> folder.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
