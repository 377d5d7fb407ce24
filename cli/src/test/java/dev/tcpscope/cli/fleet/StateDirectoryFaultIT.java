package dev.tcpscope.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.KafkaSegmentPublisher;
import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7, item 7: a processor's state directory damaged or out of space. The processor
 * ({@code bin/tcpscope processor} in a process of its own, exactly once) stops with a message
 * that names the directory, what is wrong and what to do; done as it says, the next start
 * rebuilds the state from the changelog, and the anomaly topic holds exactly what an
 * undisturbed run publishes: none lost, none repeated, none changed.
 */
class StateDirectoryFaultIT {
  private static final String OBSERVER = "state-test";
  private static final Pattern REMOVE = Pattern.compile("rm -rf '([^']+)'");

  private static FleetBroker fleet;

  /**
   * Sessions end 0.5 ms to 1.2 s after they start, one starts every 100 µs, so about 3,000
   * are open at once (and across each restart), 20,000 in all: about 125,000 segments, each a
   * write to the (uncached) session store.
   */
  private static final List<DecodedSegment> SEGMENTS = MixedTraffic.of(20_000, 100);
  private static final List<SuspiciousSession> EXPECTED =
      FleetBroker.expected(OBSERVER, "synthetic", SEGMENTS);
  /** Fewer for the damaged store: what matters is the sessions open across the restart. */
  private static final List<DecodedSegment> FEWER = MixedTraffic.of(6_000, 100);
  private static final List<SuspiciousSession> EXPECTED_OF_FEWER =
      FleetBroker.expected(OBSERVER, "synthetic", FEWER);

  @BeforeAll
  static void startBroker() throws Exception {
    fleet = FleetBroker.start("state");
  }

  @AfterAll
  static void stopBroker() throws IOException {
    fleet.close();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aDamagedStoreStopsTheProcessorSayingWhatToDoAndTheNextStartRebuildsIt() throws Exception {
    String app = "state-corrupt";
    String topic = "tcpscope.suspicious-sessions.corrupt";
    Path stateDir = fleet.work.resolve("corrupt-state");
    List<String> args = fleet.args(app, stateDir, "--suspicious-topic", topic,
        "--segments-topic", "tcpscope.segments.corrupt");
    ensureSegmentTopic("tcpscope.segments.corrupt");
    int half = FEWER.size() / 2;
    try (KafkaSegmentPublisher agent = new KafkaSegmentPublisher(fleet.client,
        "tcpscope.segments.corrupt", new SegmentRecords(OBSERVER, "synthetic"))) {
      try (ProcessorProcess first = ProcessorProcess.start(fleet.work, "corrupt-1", args)) {
        publish(agent, FEWER.subList(0, half));
        fleet.awaitProcessed("tcpscope.segments.corrupt", app, Duration.ofSeconds(120), first);
      } // a clean stop: the stores are flushed and checkpointed, so the next start trusts them

      int damaged = damageStores(stateDir.resolve(app));
      assertThat(damaged).as("RocksDB files under " + stateDir).isPositive();

      String log = failureLog(ProcessorProcess.launch(fleet.work, "corrupt-2", args));
      assertThat(log).as("names the directory and what to do").contains(
          "the state directory " + stateDir.resolve(app) + " is damaged",
          "rebuilds it from the changelog");
      Matcher remove = REMOVE.matcher(log);
      assertThat(remove.find()).as(log).isTrue();
      deleteRecursively(Path.of(remove.group(1))); // as the message says

      try (ProcessorProcess third = ProcessorProcess.start(fleet.work, "corrupt-3", args)) {
        publish(agent, FEWER.subList(half, FEWER.size()));
        FleetBroker.endOfCapture(agent, OBSERVER, "synthetic", FEWER);
        fleet.awaitProcessed("tcpscope.segments.corrupt", app, Duration.ofSeconds(120), third);
        assertThat(third.alive()).as(third.log()).isTrue();
      }
    }
    assertThat(published(topic)).containsExactlyInAnyOrderElementsOf(EXPECTED_OF_FEWER);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aFullDiskStopsTheProcessorSayingSoAndTheNextStartRebuildsTheState() throws Exception {
    Path disk = fleet.work.resolve("small-disk");
    Files.createDirectories(disk);
    // A filesystem of its own, so that filling it touches nothing else on the machine.
    Assumptions.assumeTrue(mount(disk, "64m"), "mounting a tmpfs needs root (CI runs as"
        + " root): the full-disk case is not checked on this machine");
    String app = "state-full";
    String topic = "tcpscope.suspicious-sessions.full";
    String segmentsTopic = "tcpscope.segments.full";
    ensureSegmentTopic(segmentsTopic);
    Path stateDir = disk.resolve("state");
    Path filler = disk.resolve("filler");
    List<String> args = fleet.args(app, stateDir, "--suspicious-topic", topic,
        "--segments-topic", segmentsTopic, "--rocksdb-memory-mb", "8");
    int before = SEGMENTS.size() * 2 / 10;
    int until = SEGMENTS.size() * 7 / 10;
    try (KafkaSegmentPublisher agent = new KafkaSegmentPublisher(fleet.client, segmentsTopic,
        new SegmentRecords(OBSERVER, "synthetic"))) {
      ProcessorProcess first = ProcessorProcess.start(fleet.work, "full-1", args);
      publish(agent, SEGMENTS.subList(0, before));
      fleet.awaitProcessed(segmentsTopic, app, Duration.ofSeconds(120), first);
      // Something else fills the disk while the processor runs. What follows writes more to
      // the stores than their 2 MB of memtables hold, and more changelog records than a task
      // writes before Kafka Streams flushes it: RocksDB must write a file, and cannot.
      fill(filler);
      publish(agent, SEGMENTS.subList(before, until));
      String log = failureLog(first);
      assertThat(log).as("says the disk is full, and where").contains(
          "the disk of the state directory " + stateDir.resolve(app) + " is full",
          "No space left on device");

      // The operator makes room and starts again.
      Files.delete(filler);
      try (ProcessorProcess second = ProcessorProcess.start(fleet.work, "full-2", args)) {
        publish(agent, SEGMENTS.subList(until, SEGMENTS.size()));
        FleetBroker.endOfCapture(agent, OBSERVER, "synthetic", SEGMENTS);
        fleet.awaitProcessed(segmentsTopic, app, Duration.ofSeconds(120), second);
        assertThat(second.alive()).as(second.log()).isTrue();
      }
    } finally {
      umount(disk);
    }
    assertThat(published(topic)).containsExactlyInAnyOrderElementsOf(EXPECTED);
  }

  /** Waits for the processor to stop by itself with exit code 2 (a failure it explained). */
  private static String failureLog(ProcessorProcess processor) throws Exception {
    int exit = processor.awaitExit(Duration.ofSeconds(120));
    String log = processor.log();
    assertThat(exit).as(log).isEqualTo(2);
    return log;
  }

  /** Writes zeros to {@code file} until its filesystem has no room left. */
  private static void fill(Path file) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      while (true) {
        zeros.clear();
        out.write(zeros);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left on device")) {
        throw full;
      }
    }
    assertThat(Files.getFileStore(file).getUsableSpace()).as("free after filling").isZero();
  }

  private static void ensureSegmentTopic(String topic) throws Exception {
    dev.tcpscope.cli.broker.TopicSetup.ensure(fleet.client, fleet.broker.bootstrapServers(),
        List.of(topic), FleetBroker.PARTITIONS, (short) 1);
  }

  private static void publish(KafkaSegmentPublisher agent, List<DecodedSegment> segments) {
    segments.forEach(agent::publish);
    assertThat(agent.flush(Duration.ofSeconds(60))).isTrue();
    assertThat(agent.failed()).isZero();
  }

  private static List<SuspiciousSession> published(String topic) throws Exception {
    SingleObjectSerde<SuspiciousSession> serde = TcpscopeSerdes.suspiciousSession();
    List<SuspiciousSession> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : fleet.readCommitted(topic)) {
      out.add(serde.decode(r.value()));
    }
    return out;
  }

  /** Overwrites every file of every RocksDB store with noise of the same length. */
  private static int damageStores(Path applicationState) throws IOException {
    Random noise = new Random(13);
    List<Path> files;
    try (Stream<Path> all = Files.walk(applicationState)) {
      files = all.filter(Files::isRegularFile)
          .filter(p -> p.toString().contains("/rocksdb/")).toList();
    }
    for (Path f : files) {
      byte[] bytes = new byte[(int) Math.max(1, Files.size(f))];
      noise.nextBytes(bytes);
      Files.write(f, bytes);
    }
    return files.size();
  }

  private static boolean mount(Path at, String size) throws Exception {
    return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tcpscope-test", at.toString()) == 0;
  }

  private static void umount(Path at) throws Exception {
    run("umount", "-l", at.toString());
  }

  private static int run(String... command) throws Exception {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1; // no mount command
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    dev.tcpscope.cli.broker.EmbeddedKafkaBroker.deleteRecursively(dir);
  }
}
