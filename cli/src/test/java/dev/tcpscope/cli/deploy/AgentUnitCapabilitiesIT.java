package dev.tcpscope.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit's claim that the agent needs no root: its command line run as an
 * unprivileged user (nobody) with exactly the unit's ambient capabilities, bounding set and
 * no-new-privileges (through setpriv, as systemd sets them up) captures live on {@code lo}; the
 * same without the capabilities is refused. Needs root to switch users, as CI runs.
 */
class AgentUnitCapabilitiesIT {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final Pattern METRICS = Pattern.compile("metrics on http://localhost:(\\d+)/");

  @Test
  @Timeout(150)
  void theUnitsCapabilitiesAreEnoughForANonRootAgentAndNeeded(@TempDir Path dir)
      throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "runs only as root (it switches"
        + " to the user nobody); CI runs as root");
    assumeTrue(Files.isExecutable(SETPRIV), "setpriv (util-linux) is not installed");
    assumeTrue(List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib").stream()
        .anyMatch(d -> Files.exists(Path.of(d, "libpcap.so.0.8")) || Files.exists(Path.of(d, "libpcap.so"))),
        "libpcap is not installed (.ci/run installs libpcap-dev)");
    Path launcher = Repository.ROOT.resolve("bin/tcpscope");
    assumeTrue(new ProcessBuilder(SETPRIV.toString(), "--reuid=65534", "--regid=65534",
            "--clear-groups", "test", "-r", Repository.ROOT.resolve("cli/target/tcpscope.jar").toString())
        .start().waitFor() == 0, "the user nobody cannot read this checkout");

    var service = FleetDeploymentTest.unit().get("Service");
    String ambient = capabilities(service.get("AmbientCapabilities"));
    String bounding = capabilities(service.get("CapabilityBoundingSet"));
    assertThat(service.get("NoNewPrivileges")).containsExactly("yes");

    // The unit's ExecStart, on lo, with brokers that are not there (capture does not wait for
    // them) and a free metrics port.
    Path properties = dir.resolve("agent.properties");
    Files.writeString(properties, "bootstrap.servers=127.0.0.1:1\n");
    Files.setPosixFilePermissions(properties, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> exec = new ArrayList<>(List.of(service.get("ExecStart").get(0).split("\\s+")));
    exec.set(0, launcher.toString());
    exec.replaceAll(w -> w.equals("${TCPSCOPE_INTERFACE}") ? "lo"
        : w.equals("/etc/tcpscope/agent.properties") ? properties.toString() : w);
    exec.set(exec.indexOf("--metrics-port") + 1, "0");
    exec.add(exec.indexOf("agent") + 1, "--flush-timeout");
    exec.add(exec.indexOf("--flush-timeout") + 1, "1");

    Run allowed = run(dir, privileges(ambient, bounding), exec);
    assertThat(allowed.err()).as(allowed.err()).contains("capturing from lo")
        .doesNotContain("no permission");
    assertThat(allowed.health()).as("/health while capturing").isEqualTo(200);

    Run refused = run(dir, privileges("", bounding), exec);
    assertThat(refused.err()).as(refused.err()).contains("no permission to capture on lo");
    assertThat(refused.exitCode()).isNotZero();
  }

  record Run(int exitCode, String err, int health) {}

  private static List<String> privileges(String ambient, String bounding) {
    List<String> p = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534",
        "--clear-groups", "--no-new-privs", "--bounding-set=-all," + bounding));
    if (!ambient.isEmpty()) {
      p.add("--inh-caps=" + ambient);
      p.add("--ambient-caps=" + ambient);
    }
    return p;
  }

  /** "CAP_NET_RAW CAP_NET_ADMIN" as setpriv takes them: "+net_raw,+net_admin". */
  private static String capabilities(List<String> values) {
    assertThat(values).isNotNull().hasSize(1);
    List<String> caps = new ArrayList<>();
    for (String c : values.get(0).split("\\s+")) {
      caps.add("+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""));
    }
    return String.join(",", caps);
  }

  /** Runs until capture starts (then asks /health and stops it) or until it exits. */
  private static Run run(Path dir, List<String> privileges, List<String> exec)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(privileges);
    command.addAll(exec);
    Path err = dir.resolve("agent-" + System.nanoTime() + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("TCPSCOPE_"));
    builder.environment().put("HOME", "/tmp");
    Process p = builder.start();
    int health = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      while (p.isAlive() && System.nanoTime() < deadline) {
        String text = Files.readString(err, StandardCharsets.UTF_8);
        Matcher m = METRICS.matcher(text);
        if (text.contains("capturing from") && m.find()) {
          HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + m.group(1) + "/health"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
          health = r.statusCode();
          break;
        }
        Thread.sleep(200);
      }
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    return new Run(p.exitValue(), Files.readString(err, StandardCharsets.UTF_8), health);
  }
}
