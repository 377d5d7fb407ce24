package dev.tcpscope.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark's agent: {@code bin/tcpscope agent ARGS} in its own process, its output read as
 * it comes (when capture started, the closing counters line), stopped with SIGTERM.
 */
final class AgentProcess {
  private final Process process;
  private final Thread reader;
  private final StringBuilder output = new StringBuilder();
  private volatile long capturingSinceNanos;
  private volatile String countersLine = "";

  private AgentProcess(Process process) {
    this.process = process;
    this.reader = new Thread(this::read, "bench-agent-output");
    reader.start();
  }

  /** Starts the agent as bin/tcpscope does; outside the script (no tcpscope.home), plain java. */
  static AgentProcess start(List<String> agentArgs) throws IOException {
    List<String> command = new ArrayList<>(command());
    command.add("agent");
    command.addAll(agentArgs);
    return new AgentProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  static List<String> command() {
    String home = System.getProperty("tcpscope.home");
    if (home != null && Path.of(home, "bin", "tcpscope").toFile().canExecute()) {
      return List.of(Path.of(home, "bin", "tcpscope").toString());
    }
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "dev.tcpscope.cli.Tcpscope");
  }

  private void read() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        synchronized (output) {
          output.append(line).append('\n');
        }
        if (capturingSinceNanos == 0 && line.contains("capturing from")) {
          capturingSinceNanos = System.nanoTime();
        }
        if (line.contains("published=")) {
          countersLine = line;
        }
      }
    } catch (IOException e) {
      // the agent exited
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** System.nanoTime() when the agent said it was capturing, 0 before. */
  long capturingSinceNanos() {
    return capturingSinceNanos;
  }

  boolean awaitCapturing(Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (capturingSinceNanos == 0 && process.isAlive() && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    return capturingSinceNanos != 0;
  }

  /** SIGTERM through the handle: Process.destroy() would also close our end of its output. */
  void terminate() {
    process.toHandle().destroy();
  }

  /** Waits for the exit (SIGKILL past the limit) and for the last of its output. */
  int awaitExit(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    reader.join(5000);
    return process.exitValue();
  }

  /** The agent's closing counters line (frames=.. published=..), or "" before it. */
  String countersLine() {
    return countersLine;
  }

  String output() {
    synchronized (output) {
      return output.toString();
    }
  }
}
