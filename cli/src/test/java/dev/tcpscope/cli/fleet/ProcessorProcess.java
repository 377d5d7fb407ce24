package dev.tcpscope.cli.fleet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code bin/tcpscope processor} in a process of its own, as an operator runs it: started,
 * killed (SIGKILL, nothing flushed or closed) or stopped (SIGTERM, a clean close).
 */
final class ProcessorProcess implements AutoCloseable {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();

  private final Process process;
  private final Path log;

  private ProcessorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Copies the processors' logs in {@code workDir} to the module's {@code target/fleet-logs/}
   * (failsafe runs in the module's directory), for whoever reads a failure.
   */
  static void keepLogs(Path workDir) throws IOException {
    Path logs = Files.createDirectories(Path.of("target", "fleet-logs"));
    try (var files = Files.list(workDir)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).toList()) {
        Files.copy(log, logs.resolve(log.getFileName()),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * Waits until the application has committed past the end the segment topic has now (a
   * partition still empty needs nothing); when it does not within {@code deadline}, fails with
   * the offsets, the group's members and each instance's log and threads.
   */
  static void awaitProcessed(Properties client, String segmentsTopic, int partitions,
      String applicationId, Duration deadline, ProcessorProcess... instances) throws Exception {
    try (Admin admin = Admin.create(client)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(segmentsTopic, p), OffsetSpec.latest());
      }
      var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      long until = System.nanoTime() + deadline.toNanos();
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed = admin
            .listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
        boolean done = ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
            || (committed.get(e.getKey()) != null
                && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        if (done) {
          return;
        }
        if (System.nanoTime() > until) {
          StringBuilder diagnosis = new StringBuilder(applicationId + " did not process the"
              + " segments within " + deadline + ": " + committed + " of " + ends);
          diagnosis.append("\ngroup: ").append(admin.describeConsumerGroups(
              List.of(applicationId)).all().get(30, TimeUnit.SECONDS));
          for (ProcessorProcess p : instances) {
            diagnosis.append('\n').append(p.diagnosis());
          }
          throw new AssertionError(diagnosis.toString());
        }
        Thread.sleep(200);
      }
    }
  }

  /** Starts a processor and waits until Kafka Streams runs. */
  static ProcessorProcess start(Path workDir, String name, List<String> args)
      throws IOException, InterruptedException {
    ProcessorProcess processor = launch(workDir, name, args);
    Process p = processor.process;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!processor.log().contains("tcpscope processor: running")) {
      if (!p.isAlive()) {
        throw new IllegalStateException(name + " exited " + p.exitValue() + ":\n"
            + processor.log());
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(name + " did not start within 120 s:\n" + processor.log());
      }
      Thread.sleep(100);
    }
    return processor;
  }

  /** Starts a processor without waiting for it: one that is expected to fail, for example. */
  static ProcessorProcess launch(Path workDir, String name, List<String> args)
      throws IOException {
    Path log = workDir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(HOME.resolve("bin/tcpscope").toString());
    command.add("processor");
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // Kafka Streams' own account of its tasks and rebalances, for a failing test's diagnosis.
    builder.environment().put("TCPSCOPE_JAVA_OPTS",
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info"
            // where each partition starts: committed offset, or a reset to which position
            + " -Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer.internals"
            + ".SubscriptionState=info"
            + " -Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer.internals"
            + ".ConsumerCoordinator=info");
    return new ProcessorProcess(builder.start(), log);
  }

  /** Waits for the process to end by itself; its exit code (a test that waits in vain fails). */
  int awaitExit(java.time.Duration deadline) throws IOException, InterruptedException {
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      String diagnosis = diagnosis();
      kill();
      throw new AssertionError("still running after " + deadline + ":\n" + diagnosis);
    }
    return process.exitValue();
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** SIGKILL: the process ends at once, with an open transaction and unflushed state. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * When the process still runs, its stream and RocksDB threads' stacks (jcmd Thread.print),
   * which tell a stuck stream thread from a slow one; then the end of its log. Both come first
   * and short, because CI shows only the head and tail of a failure; the whole log is kept in
   * {@code target/fleet-logs}.
   */
  String diagnosis() throws IOException, InterruptedException {
    StringBuilder text = new StringBuilder();
    if (process.isAlive()) {
      Process jcmd = new ProcessBuilder("jcmd", String.valueOf(process.pid()), "Thread.print")
          .redirectErrorStream(true).start();
      String stacks = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(30, TimeUnit.SECONDS);
      text.append("--- stream threads of ").append(process.pid()).append(" ---\n");
      for (String thread : stacks.split("\n\n")) {
        if (thread.contains("StreamThread") || thread.contains("StateUpdater")
            || thread.contains("rocksdb")) {
          text.append(thread).append("\n\n");
        }
      }
    } else {
      text.append("--- exited ").append(process.exitValue()).append(" ---\n");
    }
    List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8)
        : List.of();
    text.append("--- last lines of ").append(log).append(" ---\n");
    lines.subList(Math.max(0, lines.size() - 40), lines.size())
        .forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM: the shutdown hook closes Kafka Streams cleanly. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
