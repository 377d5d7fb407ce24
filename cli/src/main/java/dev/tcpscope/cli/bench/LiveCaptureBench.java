package dev.tcpscope.cli.bench;

import dev.tcpscope.capture.agent.AgentCounters;
import dev.tcpscope.capture.agent.CaptureAgent;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.publish.SegmentPublisher;
import dev.tcpscope.capture.source.LiveCaptureSettings;
import dev.tcpscope.capture.source.LiveCaptures;
import dev.tcpscope.capture.source.PacketSource;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench agent --live}: live capture keeping up. tcpreplay, inside a network namespace
 * this bench creates, sends a capture file at full speed into one end of a veth pair; the
 * agent ({@code bin/tcpscope agent -i}) captures on the other end, in this namespace, and
 * publishes to an embedded broker. The frames are addressed to no host here (their MACs are
 * the crafted ones), so the kernel drops them after the capture: nothing leaves the pair. The
 * namespace (and with it the pair) is removed at the end, also on Ctrl-C.
 *
 * <p>Needs root (or CAP_NET_ADMIN and CAP_NET_RAW), {@code ip} and {@code tcpreplay} (Debian:
 * apt-get install iproute2 tcpreplay).
 */
public final class LiveCaptureBench {
  private static final String NAMESPACE = "tcpscope-bench-tx";
  private static final String CAPTURE_SIDE = "tsbench0";
  private static final String SEND_SIDE = "tsbench1";
  private static final Pattern ACTUAL =
      Pattern.compile("Actual: (\\d+) packets .* sent in ([0-9.]+) seconds");
  private static final Pattern COUNTERS = Pattern.compile("frames=(\\d+) segments=(\\d+) .*"
      + "published=(\\d+) .*dropped_by_agent=(\\d+) .*pcap_received=(\\d+) pcap_dropped=(\\d+)"
      + " pcap_if_dropped=(\\d+)");

  private final long packets;
  private final int runs;

  public LiveCaptureBench(long packets, int runs) {
    this.packets = packets;
    this.runs = runs;
  }

  public int run() throws Exception {
    for (String tool : List.of("ip", "tcpreplay")) {
      if (exec(List.of("sh", "-c", "command -v " + tool)).exit != 0) {
        throw new IllegalArgumentException("bench agent --live needs '" + tool + "' (Debian:"
            + " apt-get install iproute2 tcpreplay) and root");
      }
    }
    Path dir = Files.createTempDirectory("tcpscope-bench-live-");
    Thread cleanup = new Thread(LiveCaptureBench::removeNamespace, "bench-netns-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      Path capture = dir.resolve("live.pcap");
      AgentBench.writeCapture(capture, packets);
      createNamespace();
      try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
        TopicSetup.ensure(new Properties(), broker.bootstrapServers(),
            List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS), 4, (short) 1);
        replayInto(capture, broker.bootstrapServers(), "live-warmup"); // unmeasured
        List<LiveRun> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          results.add(replayInto(capture, broker.bootstrapServers(), "live-" + i));
        }
        print("agent", results);
      }
      // The same capture path (libpcap, decoder, buffer) with a publisher that takes every
      // segment at once: what capture alone keeps up with, without Kafka's per-record cost.
      captureOnly(capture); // warm-up
      List<LiveRun> alone = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        alone.add(captureOnly(capture));
      }
      print("capture_only", alone);
      // Sender-independent: the kernel buffer is filled first, then the capture path drains it.
      drain(capture); // warm-up
      double[] drained = new double[runs];
      for (int i = 0; i < runs; i++) {
        drained[i] = drain(capture);
      }
      Arrays.sort(drained);
      System.out.printf(Locale.ROOT, "capture_path_drain_packets_per_s=%.0f%n",
          drained[runs / 2]);
      System.out.printf(Locale.ROOT, "capture_path_drain_packets_per_s_min=%.0f%n", drained[0]);
      return 0;
    } finally {
      removeNamespace();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // already shutting down: the hook removes the namespace
      }
      EmbeddedKafkaBroker.deleteRecursively(dir);
    }
  }

  private record LiveRun(long sent, double sendSeconds, long frames, long pcapReceived,
      long pcapDropped, long droppedByAgent, long published) {
    double capturedPerSecond() {
      return frames / sendSeconds;
    }

    double pcapDroppedPercent() {
      return 100.0 * pcapDropped / Math.max(1, sent);
    }

    double agentDroppedPercent() {
      return 100.0 * droppedByAgent / Math.max(1, sent);
    }
  }

  private LiveRun captureOnly(Path capture) throws Exception {
    PacketSource source = LiveCaptures.open(new LiveCaptureSettings(CAPTURE_SIDE, null,
        LiveCaptureSettings.DEFAULT_SNAP_LENGTH, LiveCaptureSettings.DEFAULT_BUFFER_BYTES, false,
        false));
    TakingPublisher publisher = new TakingPublisher();
    CaptureAgent agent = new CaptureAgent(publisher, "bench", 65536, Duration.ofSeconds(5));
    Thread capturing = new Thread(() -> {
      try {
        agent.run(source, () -> { });
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "bench-capture-only");
    capturing.start();
    Thread.sleep(1000);
    Exec sent = send(capture);
    Thread.sleep(2000);
    agent.stop(source);
    capturing.join(30_000);
    source.close();
    Matcher a = ACTUAL.matcher(sent.output);
    if (sent.exit != 0 || !a.find()) {
      throw new IllegalStateException("tcpreplay (exit " + sent.exit + "): " + sent.output);
    }
    AgentCounters c = agent.counters();
    return new LiveRun(Long.parseLong(a.group(1)), Double.parseDouble(a.group(2)), c.frames(),
        c.capture().received(), c.capture().droppedTotal(), c.droppedByAgent(),
        publisher.acknowledged());
  }

  /**
   * The capture path's own ceiling: with nobody reading, tcpreplay fills a kernel buffer large
   * enough for the whole file; then the agent's loop (pcap_dispatch, decoder, ring, a publisher
   * that takes everything) drains it. Packets per second from the start of draining.
   */
  private double drain(Path capture) throws Exception {
    PacketSource source = LiveCaptures.open(new LiveCaptureSettings(CAPTURE_SIDE, null,
        LiveCaptureSettings.DEFAULT_SNAP_LENGTH, 1 << 29, false, false));
    Exec sent = send(capture);
    Matcher a = ACTUAL.matcher(sent.output);
    if (sent.exit != 0 || !a.find()) {
      source.close();
      throw new IllegalStateException("tcpreplay (exit " + sent.exit + "): " + sent.output);
    }
    long packets = Long.parseLong(a.group(1));
    CaptureAgent agent = new CaptureAgent(new TakingPublisher(), "bench", 65536,
        Duration.ofSeconds(5));
    long start = System.nanoTime();
    Thread capturing = new Thread(() -> {
      try {
        agent.run(source, () -> { });
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, "bench-drain");
    capturing.start();
    long end = start + TimeUnit.SECONDS.toNanos(60);
    // frames() is refreshed every 1024 frames: the last partial thousand is not waited for.
    while (agent.counters().frames() < packets - 1024 && System.nanoTime() < end) {
      Thread.sleep(1);
    }
    long elapsed = System.nanoTime() - start;
    long frames = agent.counters().frames();
    agent.stop(source);
    capturing.join(30_000);
    source.close();
    return frames * 1e9 / elapsed;
  }

  /** Takes every segment at once: the capture path measured without a broker behind it. */
  private static final class TakingPublisher implements SegmentPublisher {
    private volatile long taken;

    @Override
    public void publish(DecodedSegment segment) {
      taken++;
    }

    @Override
    public void heartbeat(AgentHeartbeat heartbeat) {
      // nothing to send
    }

    @Override
    public long acknowledged() {
      return taken;
    }

    @Override
    public long failed() {
      return 0;
    }

    @Override
    public boolean flush(Duration deadline) {
      return true;
    }

    @Override
    public void close() {
      // nothing held
    }
  }

  private static Exec send(Path capture) throws IOException, InterruptedException {
    return exec(List.of("ip", "netns", "exec", NAMESPACE, "tcpreplay", "-i", SEND_SIDE,
        "--topspeed", "--preload-pcap", capture.toString()));
  }

  private void print(String what, List<LiveRun> results) {
    double[] sent = results.stream().mapToDouble(r -> r.sent / r.sendSeconds).sorted().toArray();
    double[] captured = results.stream().mapToDouble(LiveRun::capturedPerSecond).sorted()
        .toArray();
    double[] pcapDrop = results.stream().mapToDouble(LiveRun::pcapDroppedPercent).sorted()
        .toArray();
    double[] agentDrop = results.stream().mapToDouble(LiveRun::agentDroppedPercent).sorted()
        .toArray();
    double[] missed = results.stream()
        .mapToDouble(r -> 100.0 * (r.sent - r.frames) / Math.max(1, r.sent)).sorted().toArray();
    int mid = results.size() / 2;
    String p = what.equals("agent") ? "" : what + "_";
    if (what.equals("agent")) {
      System.out.println("bench=agent-live");
      System.out.println("packets=" + packets);
      System.out.println("runs=" + results.size());
      System.out.println("capture=libpcap through " + LiveCaptures.backend() + ", Java "
          + Runtime.version().feature());
      System.out.println("sender=tcpreplay --topspeed --preload-pcap (namespace " + NAMESPACE
          + ", veth " + SEND_SIDE + " -> " + CAPTURE_SIDE + ")");
    }
    System.out.printf(Locale.ROOT, p + "sent_packets_per_s=%.0f%n", sent[mid]);
    System.out.printf(Locale.ROOT, p + "captured_packets_per_s=%.0f%n", captured[mid]);
    System.out.printf(Locale.ROOT, p + "captured_packets_per_s_min=%.0f%n", captured[0]);
    System.out.printf(Locale.ROOT, p + "not_captured_pct=%.3f%n", missed[mid]);
    System.out.printf(Locale.ROOT, p + "pcap_dropped_pct=%.3f%n", pcapDrop[mid]);
    System.out.printf(Locale.ROOT, p + "agent_dropped_pct=%.3f%n", agentDrop[mid]);
    System.out.println(p + "runs_detail=" + Arrays.toString(results.stream().map(r -> String.format(
        Locale.ROOT, "sent=%d/%.2fs frames=%d pcap_dropped=%d agent_dropped=%d published=%d",
        r.sent, r.sendSeconds, r.frames, r.pcapDropped, r.droppedByAgent, r.published))
        .toArray()));
  }

  private LiveRun replayInto(Path capture, String bootstrap, String observer)
      throws IOException, InterruptedException {
    AgentProcess agent = AgentProcess.start(List.of("-i", CAPTURE_SIDE, "--bootstrap-server",
        bootstrap, "--observer", observer, "--no-promiscuous", "--flush-timeout", "30"));
    if (!agent.awaitCapturing(Duration.ofSeconds(60))) {
      agent.terminate();
      agent.awaitExit(Duration.ofSeconds(10));
      throw new IllegalStateException("the agent did not start capturing on " + CAPTURE_SIDE
          + ": " + agent.output());
    }
    Thread.sleep(1000); // the handle is open and the loop is dispatching
    Exec sent = send(capture);
    Thread.sleep(2000); // the last packets reach the agent and its statistics tick
    agent.terminate(); // the agent stops, flushes and prints its counters
    int exit = agent.awaitExit(Duration.ofSeconds(60));
    Matcher a = ACTUAL.matcher(sent.output);
    Matcher c = COUNTERS.matcher(agent.countersLine());
    if (sent.exit != 0 || !a.find() || !c.find()) {
      throw new IllegalStateException("tcpreplay (exit " + sent.exit + "): " + sent.output
          + "\nagent (exit " + exit + "): " + agent.output());
    }
    return new LiveRun(Long.parseLong(a.group(1)), Double.parseDouble(a.group(2)),
        Long.parseLong(c.group(1)), Long.parseLong(c.group(5)), Long.parseLong(c.group(6))
            + Long.parseLong(c.group(7)), Long.parseLong(c.group(4)),
        Long.parseLong(c.group(3)));
  }

  private static void createNamespace() throws IOException, InterruptedException {
    removeNamespace();
    for (List<String> step : List.of(
        List.of("ip", "netns", "add", NAMESPACE),
        List.of("ip", "link", "add", CAPTURE_SIDE, "type", "veth", "peer", "name", SEND_SIDE,
            "netns", NAMESPACE),
        // No address and no IPv6 on the capture side: the host never answers or forwards.
        List.of("sysctl", "-q", "-w", "net.ipv6.conf." + CAPTURE_SIDE + ".disable_ipv6=1"),
        List.of("ip", "link", "set", CAPTURE_SIDE, "up"),
        List.of("ip", "-n", NAMESPACE, "link", "set", SEND_SIDE, "up"))) {
      Exec e = exec(step);
      if (e.exit != 0) {
        throw new IOException(String.join(" ", step) + " failed (exit " + e.exit + "): "
            + e.output.strip() + (e.output.contains("ermission")
                ? "; the live bench needs root (CAP_NET_ADMIN)" : ""));
      }
    }
  }

  private static void removeNamespace() {
    try {
      exec(List.of("ip", "link", "del", CAPTURE_SIDE));
      exec(List.of("ip", "netns", "del", NAMESPACE));
    } catch (IOException | InterruptedException e) {
      // nothing was created
    }
  }

  private record Exec(int exit, String output) {}

  private static Exec exec(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Exec(-1, out + " (timed out)");
    }
    return new Exec(p.exitValue(), out);
  }
}
