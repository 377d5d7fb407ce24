package dev.tcpscope.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install the images and the systemd unit rely on: only what each Dockerfile copies out of
 * the build stage (bin/tcpscope and the jars, no sources), laid out where it copies them, runs
 * each image's ENTRYPOINT without rebuilding, and the engine's classes are all there.
 */
class InstalledLayoutIT {
  private static final String BUILD_ROOT = "/src/";

  @Test
  @Timeout(120)
  void whatEachDockerfileCopiesRunsItsEntrypointWithoutSources(@TempDir Path root)
      throws Exception {
    for (String image : List.of("agent", "processor", "web")) {
      Path installed = root.resolve(image);
      Dockerfile dockerfile = new Dockerfile(Repository.file("deploy/docker/" + image + "/Dockerfile"));
      int copied = 0;
      for (String copy : dockerfile.all("COPY")) {
        String[] words = copy.split("\\s+");
        if (!words[0].equals("--from=build")) {
          continue;
        }
        assertThat(words).as(copy).hasSize(3);
        assertThat(words[1]).startsWith(BUILD_ROOT);
        copy(Repository.ROOT.resolve(words[1].substring(BUILD_ROOT.length())),
            installed.resolve(words[2].substring(1)));
        copied++;
      }
      assertThat(copied).as(image + " copies from the build stage").isPositive();
      List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
      Path launcher = installed.resolve(entrypoint.get(0).substring(1));

      Run help = run(launcher, entrypoint.get(1), "--help");
      assertThat(help.exitCode()).as(image + ": " + help.err()).isZero();
      assertThat(help.err()).as(image).doesNotContain("building");
      assertThat(help.out()).contains("Usage: tcpscope " + entrypoint.get(1));
    }

    // The engine from the installed jars, on a real capture (the demo's, shipped in the jar too).
    Path capture = root.resolve("demo.pcap");
    Files.copy(Repository.file("cli/src/main/resources/dev/tcpscope/cli/demo/demo.pcap"), capture);
    Run analyze = run(root.resolve("processor/opt/tcpscope/bin/tcpscope"), "analyze",
        "--no-stats", "-C", "0", capture.toString());
    assertThat(analyze.exitCode()).as(analyze.err()).isZero();
    assertThat(analyze.out()).contains("192.168.61.88:40002 == 192.168.56.136:8443");
    assertThat(root.resolve("processor/opt/tcpscope/cli/target/lib")).isDirectory();
  }

  record Run(int exitCode, String out, String err) {}

  private static Run run(Path launcher, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("TCPSCOPE_"));
    Path out = Files.createTempFile("installed-", ".out");
    Path err = Files.createTempFile("installed-", ".err");
    try {
      Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " ran over 60 s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** COPY's semantics for a file, or a directory's contents ("lib/" to "lib/"). */
  private static void copy(Path from, Path to) throws IOException {
    assertThat(from).as("built before the integration tests: " + from).exists();
    if (Files.isRegularFile(from)) {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
      return;
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
