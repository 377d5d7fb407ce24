package dev.tcpscope.cli.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JVM of the local cluster (a KRaft node, the processor, the agent, the viewer) running
 * {@link ClusterMember} on this JVM's class path. Its output goes to a log file; its own
 * {@code tcpscope ...} status lines are also shown on the console, so the operator sees what
 * each part says without Kafka's warnings in between.
 */
public final class MemberProcess {
  private static final int TAIL_LINES = 40;

  private final String name;
  private final Process process;
  private final Path log;
  private final List<String> statusLines = new ArrayList<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private final Thread reader;

  private MemberProcess(String name, Process process, Path log, PrintStream console)
      throws IOException {
    this.name = name;
    this.process = process;
    this.log = log;
    Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
    this.reader = new Thread(() -> {
      try (file; BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          file.write(line);
          file.write('\n');
          file.flush();
          synchronized (this) {
            tail.addLast(line);
            if (tail.size() > TAIL_LINES) {
              tail.removeFirst();
            }
            if (line.startsWith("tcpscope ")) {
              statusLines.add(line);
              notifyAll();
            }
          }
          if (console != null && line.startsWith("tcpscope ")) {
            console.println(line);
          }
        }
      } catch (IOException e) {
        // the process ended or its log cannot be written: nothing more to read
      }
      synchronized (this) {
        notifyAll();
      }
    }, "tcpscope-cluster-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code java JVM_OPTIONS ClusterMember ARGS}.
   *
   * @param console where the member's status lines are shown; null for none
   */
  public static MemberProcess start(String name, List<String> jvmOptions, List<String> args,
      Path log, PrintStream console) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClusterMember.class.getName());
    command.addAll(args);
    // Standard input stays a pipe from this process: its end tells the member to exit.
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new MemberProcess(name, p, log, console);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** The member's last lines of output, for a failure's message. */
  public synchronized String tail() {
    return String.join("\n", tail);
  }

  /**
   * Waits until the member prints a status line that contains {@code text}.
   *
   * @return that line
   * @throws IllegalStateException when the member exits first, with its last lines
   */
  public String await(String text, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        for (String line : statusLines) {
          if (line.contains(text)) {
            return line;
          }
        }
        if (!reader.isAlive()) {
          throw new IllegalStateException(name + " exited before '" + text + "':\n" + tail());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(name + " did not say '" + text + "' within " + timeout
              + ":\n" + tail());
        }
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
      }
    }
  }

  /** SIGKILL: the process ends at once, nothing flushed or closed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Asks for a clean stop (SIGTERM) without waiting; see {@link #awaitStop}. */
  public void requestStop() {
    process.destroy();
  }

  /**
   * Waits for the member to end after {@link #requestStop}; past {@code timeout} kills it.
   *
   * @return true when it ended by itself
   */
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      reader.join(2000);
      return true;
    }
    kill();
    reader.join(2000);
    return false;
  }

  /** SIGTERM, then SIGKILL past {@code timeout}. */
  public boolean stop(Duration timeout) throws InterruptedException {
    requestStop();
    return awaitStop(timeout);
  }
}
