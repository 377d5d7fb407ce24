package dev.tcpscope.cli.bench;

import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionTable;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench engine|agent|pipeline}: throughput and memory figures as {@code name=value}
 * lines, for the README and for comparing before and after a change (report medians).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure throughput: engine (in memory), agent (capture file into Kafka),"
        + " pipeline (agent + processor on an embedded broker).")
public final class BenchCommand implements Callable<Integer> {
  /** What to measure; picocli lists these in the error for a wrong value. */
  public enum Target {
    engine,
    agent,
    pipeline
  }

  @Parameters(paramLabel = "engine|agent|pipeline", description = "${COMPLETION-CANDIDATES}")
  Target target;

  @Option(names = "--segments", defaultValue = "5000000",
      description = "Segments to process (default ${DEFAULT-VALUE}).")
  long segments;

  @Option(names = "--sessions", defaultValue = "10000",
      description = "Concurrent open sessions (default ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--runs", defaultValue = "5", description = "Measured runs; the median is"
      + " reported (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--commit-interval-ms", defaultValue = "0", description = "pipeline: the"
      + " processor's commit interval (default: Kafka Streams' 100 ms under exactly-once).")
  long commitIntervalMs;

  @Option(names = "--latency-rate", defaultValue = "5000", description = "pipeline: refused"
      + " connections per second in the latency phase (default ${DEFAULT-VALUE}).")
  int latencyRate;

  @Option(names = "--latency-seconds", defaultValue = "10", description = "pipeline: length of"
      + " the latency phase (default ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Override
  public Integer call() throws Exception {
    if (segments < 1 || sessions < 1 || runs < 1) {
      throw new IllegalArgumentException("--segments, --sessions and --runs must be positive");
    }
    return switch (target) {
      case engine -> engine();
      case agent -> throw new IllegalArgumentException("bench agent is not built yet");
      case pipeline -> {
        java.util.Properties processor = new java.util.Properties();
        if (commitIntervalMs > 0) {
          processor.put("commit.interval.ms", String.valueOf(commitIntervalMs));
        }
        yield new PipelineBench(segments, sessions, System.out)
            .run(processor, latencyRate, latencySeconds);
      }
    };
  }

  private int engine() {
    // Warm-up, then measured runs; each run a fresh table so session churn is included.
    double[] rates = new double[runs];
    long[] usedBytes = new long[runs];
    runEngine(Math.min(segments, 2_000_000), sessions);
    for (int i = 0; i < runs; i++) {
      EngineRun r = runEngine(segments, sessions);
      rates[i] = r.segmentsPerSecond;
      usedBytes[i] = r.bytesPerSession;
    }
    java.util.Arrays.sort(rates);
    java.util.Arrays.sort(usedBytes);
    System.out.println("bench=engine");
    System.out.println("sessions_concurrent=" + sessions);
    System.out.println("segments=" + segments);
    System.out.println("runs=" + runs);
    System.out.println(String.format(Locale.ROOT, "segments_per_s=%.0f", rates[runs / 2]));
    System.out.println(String.format(Locale.ROOT, "segments_per_s_min=%.0f", rates[0]));
    System.out.println(String.format(Locale.ROOT, "segments_per_s_max=%.0f", rates[runs - 1]));
    System.out.println("bytes_per_open_session=" + usedBytes[runs / 2]);
    return 0;
  }

  private record EngineRun(double segmentsPerSecond, long bytesPerSession) {}

  static EngineRun runEngine(long count, int concurrent) {
    // --all off and miruo's defaults: the clean sessions are judged and not reported.
    long baseline = MemoryProbe.usedAfterGc();
    long[] reported = {0};
    SessionTable table = new SessionTable(RuleSettings.defaults(), "bench", r -> reported[0]++);
    SyntheticTraffic traffic = new SyntheticTraffic(concurrent, 6);
    Segment segment = new Segment();
    // Fill the table to its steady state before timing.
    for (int i = 0; i < concurrent * 3; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    long elapsed = System.nanoTime() - start;
    long bytes = MemoryProbe.usedAfterGc() - baseline;
    int open = table.size();
    java.lang.ref.Reference.reachabilityFence(table);
    return new EngineRun(count * 1e9 / elapsed, bytes / Math.max(1, open));
  }
}
