package dev.tcpscope.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where ../shared/corpus is; tests that need it are skipped, saying why, when it is absent. */
final class Corpus {
  private Corpus() {}

  static Path dir() {
    String configured = System.getProperty("tcpscope.corpus");
    Path dir = configured != null ? Path.of(configured) : Path.of("../../shared/corpus");
    Assumptions.assumeTrue(Files.isDirectory(dir),
        "the shared capture corpus is not at " + dir.toAbsolutePath()
            + ": check out ../shared beside the project (CI has it)");
    return dir;
  }
}
