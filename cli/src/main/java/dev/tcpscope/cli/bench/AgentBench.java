package dev.tcpscope.cli.bench;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.Segment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench agent}: a capture file of synthetic short sessions (snap length 96, as a header
 * capture) replayed by the agent, started as {@code bin/tcpscope agent} in its own process,
 * into an embedded broker in this process. Reports the whole agent process's rate (JVM
 * start to exit, every segment acknowledged), the rate from the start of capture, and the
 * agent's peak resident memory (sampled from /proc), medians of the runs. Each agent run is
 * followed by a run of {@link ProducerCeiling} (a bare producer with the agent's settings and
 * JVM options) against the same broker, so the agent's figure comes with the ceiling its one
 * producer sets on this machine at that hour.
 */
public final class AgentBench {
  private static final Pattern FINAL =
      Pattern.compile("segments=(\\d+) .*published=(\\d+) publish_failed=(\\d+)");
  private static final int SNAP = 96;

  private final long packets;
  private final int runs;

  public AgentBench(long packets, int runs) {
    this.packets = packets;
    this.runs = runs;
  }

  public int run() throws Exception {
    Path dir = Files.createTempDirectory("tcpscope-bench-agent-");
    try {
      Path capture = dir.resolve("bench.pcap");
      long written = writeCapture(capture, packets);
      try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
        TopicSetup.ensure(new Properties(), broker.bootstrapServers(),
            List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS), 4, (short) 1);
        // One unmeasured run: the broker's first appends are much slower (platform notes).
        runAgent(capture, broker.bootstrapServers(), "bench-warmup", written);
        double[] whole = new double[runs];
        double[] capturing = new double[runs];
        double[] rss = new double[runs];
        double[] ceiling = new double[runs];
        for (int i = 0; i < runs; i++) {
          AgentRun r = runAgent(capture, broker.bootstrapServers(), "bench-" + i, written);
          whole[i] = r.segments / r.wallSeconds;
          capturing[i] = r.segments / r.captureSeconds;
          rss[i] = r.peakRssKb / 1024.0;
          ceiling[i] = runCeiling(capture, broker.bootstrapServers(), "bench-ceiling-" + i,
              written);
        }
        Arrays.sort(whole);
        Arrays.sort(capturing);
        Arrays.sort(rss);
        Arrays.sort(ceiling);
        System.out.println("bench=agent");
        System.out.println("packets=" + written);
        System.out.println("capture_bytes=" + Files.size(capture));
        System.out.println("runs=" + runs);
        String options = System.getenv("TCPSCOPE_AGENT_JAVA_OPTS");
        System.out.println("agent_command=" + String.join(" ", AgentProcess.command()).replaceAll(
            " -cp \\S+", " -cp ...") + " agent"
            + (options == null ? "" : " (TCPSCOPE_AGENT_JAVA_OPTS=" + options + ")"));
        System.out.printf(Locale.ROOT, "segments_per_s=%.0f%n", whole[runs / 2]);
        System.out.printf(Locale.ROOT, "segments_per_s_min=%.0f%n", whole[0]);
        System.out.printf(Locale.ROOT, "segments_per_s_max=%.0f%n", whole[runs - 1]);
        System.out.printf(Locale.ROOT, "segments_per_s_from_capture_start=%.0f%n",
            capturing[runs / 2]);
        System.out.printf(Locale.ROOT, "producer_ceiling_segments_per_s=%.0f%n",
            ceiling[runs / 2]);
        System.out.printf(Locale.ROOT, "agent_share_of_ceiling=%.2f%n",
            capturing[runs / 2] / ceiling[runs / 2]);
        System.out.printf(Locale.ROOT, "rss_mb=%.0f%n", rss[runs / 2]);
        System.out.printf(Locale.ROOT, "rss_mb_max=%.0f%n", rss[runs - 1]);
      }
      return 0;
    } finally {
      EmbeddedKafkaBroker.deleteRecursively(dir);
    }
  }

  private record AgentRun(long segments, double wallSeconds, double captureSeconds,
      long peakRssKb) {}

  private AgentRun runAgent(Path capture, String bootstrap, String observer, long expected)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    AgentProcess agent = AgentProcess.start(List.of("-f", capture.toString(),
        "--bootstrap-server", bootstrap, "--observer", observer, "--flush-timeout", "60"));
    Path status = Path.of("/proc", String.valueOf(agent.pid()), "status");
    long peakKb = 0;
    while (agent.isAlive()) {
      peakKb = Math.max(peakKb, residentKb(status));
      Thread.sleep(20);
    }
    long end = System.nanoTime();
    int exit = agent.awaitExit(Duration.ofSeconds(5));
    Matcher m = FINAL.matcher(agent.countersLine());
    if (exit != 0 || !m.find() || Long.parseLong(m.group(2)) != expected) {
      throw new IllegalStateException("the agent did not publish all " + expected
          + " segments (exit " + exit + "): " + agent.output());
    }
    long segments = Long.parseLong(m.group(1));
    long captureStart = agent.capturingSinceNanos() == 0 ? start : agent.capturingSinceNanos();
    return new AgentRun(segments, (end - start) / 1e9, (end - captureStart) / 1e9, peakKb);
  }

  private static final Pattern CEILING =
      Pattern.compile("producer_acknowledged=(\\d+) .*producer_seconds=([0-9.]+)");

  /**
   * One run of the bare producer in its own JVM, with the agent's JVM options (bin/tcpscope
   * passes them as {@code tcpscope.agent.javaOpts}): acknowledged segments per second from
   * its first send to the end of its flush.
   */
  private static double runCeiling(Path capture, String bootstrap, String observer,
      long count) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-XX:+UseSerialGC");
    String agentOptions = System.getProperty("tcpscope.agent.javaOpts", "").strip();
    if (!agentOptions.isEmpty()) {
      command.addAll(Arrays.asList(agentOptions.split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ProducerCeiling.class.getName(), bootstrap, capture.toString(), String.valueOf(count),
        observer));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    Matcher m = CEILING.matcher(output);
    if (exit != 0 || !m.find() || Long.parseLong(m.group(1)) != count) {
      throw new IllegalStateException("the bare producer did not publish all " + count
          + " segments (exit " + exit + "): " + output);
    }
    return Long.parseLong(m.group(1)) / Double.parseDouble(m.group(2));
  }

  /** VmHWM (the peak so far) or VmRSS of a process, in kB; 0 once it is gone. */
  private static long residentKb(Path status) {
    try {
      long hwm = 0;
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
          hwm = Math.max(hwm, Long.parseLong(line.replaceAll("\\D", "")));
        }
      }
      return hwm;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Writes {@code packets} frames of short sessions, 10,000 open at a time (handshake, six
   * request/response segments, teardown), cut at {@value #SNAP} bytes as a header capture is.
   */
  static long writeCapture(Path file, long packets) throws IOException {
    SyntheticTraffic traffic = new SyntheticTraffic(10_000, 6);
    Segment s = new Segment();
    try (PcapFileWriter writer = PcapFileWriter.create(file, LinkType.ETHERNET)) {
      for (long i = 0; i < packets; i++) {
        traffic.next(s);
        byte[] frame = TcpFrameBuilder.tcp(ip(s.srcIp), s.srcPort, ip(s.dstIp), s.dstPort)
            .seq(s.seq).ack(s.ack).flags(s.flags).window(s.window)
            .payloadLength(s.payloadLength).build();
        writer.write(s.tsUs, frame, Math.min(SNAP, frame.length), frame.length);
      }
    }
    return packets;
  }

  private static String ip(byte[] a) {
    return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
  }
}
