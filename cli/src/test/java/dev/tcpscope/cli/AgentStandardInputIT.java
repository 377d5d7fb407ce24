package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpdump -U -w - | bin/tcpscope agent -f -}: the agent as its own process, reading a
 * pcap stream from a pipe that trickles, publishing to a real broker, serving Prometheus
 * metrics (its counters and the Kafka producer's) while it runs, taking client settings from
 * {@code --kafka-config} and {@code TCPSCOPE_KAFKA_*}, and stopping on SIGTERM within its flush
 * deadline even when the broker is gone.
 */
class AgentStandardInputIT {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();
  private static final long T0_US = 1_767_268_800_000_000L;

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    Properties client = new Properties();
    TopicSetup.ensure(client, broker.bootstrapServers(),
        List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS), 2, (short) 1);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** A pcap stream of {@code sessions} short sessions (SYN, SYN-ACK, ACK, data, FIN, FIN, ACK). */
  private static List<byte[]> pcapStream(int sessions) throws IOException {
    List<byte[]> chunks = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapFileWriter writer = new PcapFileWriter(bytes, LinkType.ETHERNET);
    chunks.add(bytes.toByteArray()); // the file header alone first, as tcpdump -U sends it
    long ts = T0_US;
    for (int i = 0; i < sessions; i++) {
      bytes.reset();
      int port = 40000 + i;
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.1", port, "10.1.0.2", 80)
          .flags(TcpFlags.SYN).seq(100).synOptions(1460, 1, 7).build());
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.2", 80, "10.1.0.1", port)
          .flags(TcpFlags.SYN | TcpFlags.ACK).seq(900).ack(101).build());
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.1", port, "10.1.0.2", 80)
          .flags(TcpFlags.ACK).seq(101).ack(901).payloadLength(120).build());
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.1", port, "10.1.0.2", 80)
          .flags(TcpFlags.FIN | TcpFlags.ACK).seq(221).ack(901).build());
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.2", 80, "10.1.0.1", port)
          .flags(TcpFlags.FIN | TcpFlags.ACK).seq(901).ack(222).build());
      writer.write(ts++, TcpFrameBuilder.tcp("10.1.0.1", port, "10.1.0.2", 80)
          .flags(TcpFlags.ACK).seq(222).ack(902).build());
      writer.write(ts++, new byte[] {1, 2, 3}); // a runt frame: an L2 header error
      chunks.add(bytes.toByteArray());
    }
    return chunks;
  }

  private static Process agent(Path err, List<String> args, String envClientId)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/tcpscope").toString(),
        "agent", "-f", "-", "--bootstrap-server", broker.bootstrapServers()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
    if (envClientId != null) {
      pb.environment().put("TCPSCOPE_KAFKA_CLIENT_ID", envClientId);
    }
    return pb.start();
  }

  @Test
  @Timeout(180)
  void aTricklingPipeIsPublishedWhileMetricsShowTheAgentsAndTheProducersCounters(
      @TempDir Path dir) throws Exception {
    Path config = dir.resolve("client.properties");
    // The file's client.id is overridden by the environment's; linger.ms comes from the file.
    Files.writeString(config, "client.id=from-file\nlinger.ms=5\n");
    int port = freePort();
    Path err = dir.resolve("agent.err");
    List<byte[]> chunks = pcapStream(40);
    Process agent = agent(err, List.of("--observer", "stdin-it", "--kafka-config",
        config.toString(), "--metrics-port", String.valueOf(port), "-s", "1"), "from-env");
    try (OutputStream pipe = agent.getOutputStream()) {
      pipe.write(chunks.get(0));
      pipe.flush();
      String metrics = null;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      // A session every 50 ms: the pipe trickles for two seconds, as live tcpdump output does.
      for (int i = 1; i < chunks.size(); i++) {
        pipe.write(chunks.get(i));
        pipe.flush();
        Thread.sleep(50);
      }
      // Still open: the agent is running; everything so far must be published and scraped.
      while (System.nanoTime() < end) {
        metrics = scrape(port, "/metrics");
        // Counters are refreshed every second (or thousand frames): wait for both to settle.
        if (metrics != null && value(metrics, "tcpscope_agent_segments_published_total") == 240
            && value(metrics, "tcpscope_agent_frames_total") == 280) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(metrics).as(Files.readString(err)).isNotNull();
      assertThat(value(metrics, "tcpscope_agent_frames_total")).isEqualTo(280);
      assertThat(value(metrics, "tcpscope_agent_segments_total")).isEqualTo(240);
      assertThat(value(metrics, "tcpscope_agent_segments_published_total")).isEqualTo(240);
      assertThat(metrics).containsPattern(
          "tcpscope_agent_frames_skipped_total\\{[^}]*reason=\"l2_error\"[^}]*\\} 40");
      assertThat(metrics).contains("observer=\"stdin-it\"");
      // The producer's own metrics, under the client id the environment set.
      assertThat(metrics).containsPattern("kafka_producer_record_send_total\\{[^}]*"
          + "client_id=\"from-env\"");
      assertThat(metrics).doesNotContain("client_id=\"from-file\"");
      assertThat(scrape(port, "/health")).isEqualTo("UP\n");
    }
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertThat(agent.exitValue()).as(stderr).isZero();
    assertThat(stderr).contains("======= tcpscope agent statistics: - =======")
        .containsPattern("Published +: 240")
        .containsPattern("L2 header errors +: 40")
        .contains("frames=280 segments=240 header_errors=40");

    List<TcpSegment> segments = readSegments("stdin-it");
    assertThat(segments).hasSize(240);
    assertThat(segments).allSatisfy(s -> assertThat(s.getSource()).isEqualTo("-"));
    assertThat(segments.stream().mapToLong(TcpSegment::getTsUs).min().orElseThrow())
        .isEqualTo(T0_US);
    // The last heartbeat of the stream counts everything acknowledged.
    List<AgentHeartbeat> beats = TopicRecords.readAll(broker.bootstrapServers(),
        TcpscopeTopics.HEARTBEATS, TcpscopeSerdes.agentHeartbeat()).stream()
        .filter(h -> h.getObserver().equals("stdin-it")).toList();
    AgentHeartbeat last = beats.get(beats.size() - 1);
    assertThat(last.getEndOfCapture()).isTrue();
    assertThat(last.getPublished()).isEqualTo(240);
    assertThat(last.getSegments()).isEqualTo(240);
  }

  @Test
  @Timeout(120)
  void sigtermWithTheBrokerGoneStopsWithinTheFlushDeadlineAndSaysWhatWasLost(
      @TempDir Path dir) throws Exception {
    try (EmbeddedKafkaBroker doomed = EmbeddedKafkaBroker.start()) {
      TopicSetup.ensure(new Properties(), doomed.bootstrapServers(),
          List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS), 1, (short) 1);
      Path err = dir.resolve("agent.err");
      List<String> command = List.of(HOME.resolve("bin/tcpscope").toString(), "agent", "-f", "-",
          "--bootstrap-server", doomed.bootstrapServers(), "--observer", "sigterm-it",
          "--flush-timeout", "2");
      Process agent = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
      List<byte[]> chunks = pcapStream(20);
      OutputStream pipe = agent.getOutputStream();
      pipe.write(chunks.get(0));
      pipe.write(chunks.get(1));
      pipe.flush();
      awaitText(err, "capturing from -");
      Thread.sleep(2000); // the first session is published
      doomed.stopServer();
      for (int i = 2; i < chunks.size(); i++) {
        pipe.write(chunks.get(i));
      }
      pipe.flush();
      Thread.sleep(500);
      // The pipe stays open: the capture thread is blocked reading when SIGTERM comes.
      long signalled = System.nanoTime();
      agent.destroy(); // SIGTERM
      assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
      double seconds = (System.nanoTime() - signalled) / 1e9;
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      assertThat(seconds).as("stop after SIGTERM, flush timeout 2 s; %s", stderr)
          .isLessThan(2 + 4.0); // the deadline, the hook's last second, the JVM's exit
      // Printed by the main thread, or by the shutdown hook when the read still blocks.
      assertThat(stderr).contains("segments=120")
          .containsPattern("unpublished_at_shutdown=[1-9]\\d*");
      pipe.close();
    }
  }

  @Test
  @Timeout(120)
  void decodeReadsAPipedPcapStream(@TempDir Path dir) throws Exception {
    Piped decode = pipeThrough(dir, pcapStream(10), "decode", "--format", "jsonl", "-");

    assertThat(decode.exit()).as(decode.err()).isZero();
    assertThat(decode.lines()).hasSize(60)
        .allSatisfy(l -> assertThat(l).startsWith("{\"source\":\"-\""));
    assertThat(decode.err()).contains("frames=70 segments=60 l2_error=10");
  }

  @Test
  @Timeout(120)
  void analyzeReadsAPipedPcapStream(@TempDir Path dir) throws Exception {
    Piped analyze = pipeThrough(dir, pcapStream(5), "analyze", "--all", "--format", "jsonl", "-");

    assertThat(analyze.exit()).as(analyze.err()).isZero();
    // --all: the five clean sessions of the stream, each with its six segments
    assertThat(analyze.lines()).hasSize(5)
        .allSatisfy(l -> assertThat(l).contains("\"segments\":6").contains("\"source\":\"-\""));
  }

  private record Piped(int exit, List<String> lines, String err) {}

  /** Runs bin/tcpscope with the chunks written to its standard input a little at a time. */
  private static Piped pipeThrough(Path dir, List<byte[]> chunks, String... args)
      throws Exception {
    Path out = dir.resolve("command.out");
    Path err = dir.resolve("command.err");
    List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/tcpscope").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    try (OutputStream pipe = p.getOutputStream()) {
      for (byte[] chunk : chunks) {
        pipe.write(chunk);
        pipe.flush();
        Thread.sleep(20);
      }
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/tcpscope ended").isTrue();
    return new Piped(p.exitValue(), Files.readAllLines(out),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void awaitText(Path file, String text) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(file).contains(text)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no '" + text + "' in: " + Files.readString(file));
      }
      Thread.sleep(100);
    }
  }

  private static long value(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*\\} ([0-9.E+]+)$")
        .matcher(metrics);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private static String scrape(int port, String path) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path)
          .toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      try (var in = c.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      return null; // not listening yet
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static List<TcpSegment> readSegments(String observer) {
    return TopicRecords.readAll(broker.bootstrapServers(), TcpscopeTopics.SEGMENTS,
        TcpscopeSerdes.tcpSegment()).stream()
        .filter(s -> s.getObserver().equals(observer)).toList();
  }

}
