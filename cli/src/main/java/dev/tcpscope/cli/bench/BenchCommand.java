package dev.tcpscope.cli.bench;

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

  @Option(names = "--live", description = "agent: live capture instead of a file: tcpreplay"
      + " into a veth pair in a namespace the bench creates (root, ip and tcpreplay needed).")
  boolean live;

  @Option(names = "--runs", defaultValue = "5", description = "Measured runs; the median is"
      + " reported (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--commit-interval-ms", defaultValue = "0", description = "pipeline: the"
      + " processor's commit interval (default: the processor's own default).")
  long commitIntervalMs;

  @Option(names = "--threads", defaultValue = "0", description = "pipeline: the processor's"
      + " stream threads (default: the processor's own default).")
  int threads;

  @Option(names = "--latency-rate", defaultValue = "5000", description = "pipeline: refused"
      + " connections per second in the latency phase (default ${DEFAULT-VALUE}).")
  int latencyRate;

  @Option(names = "--latency-seconds", defaultValue = "10", description = "pipeline: length of"
      + " the latency phase (default ${DEFAULT-VALUE}).")
  int latencySeconds;

  @Option(names = "--write-capture", paramLabel = "FILE",
      description = "engine: instead of measuring, write the synthetic traffic (--segments"
          + " frames, --sessions open at once) as a pcap file, headers only, for analyze and"
          + " miruo to read.")
  java.nio.file.Path writeCapture;

  @Override
  public Integer call() throws Exception {
    if (segments < 1 || sessions < 1 || runs < 1) {
      throw new IllegalArgumentException("--segments, --sessions and --runs must be positive");
    }
    return switch (target) {
      case engine -> writeCapture != null
          ? EngineBench.writeCapture(writeCapture, segments, sessions, System.out)
          : new EngineBench(segments, sessions, runs).run(System.out);
      case agent -> live ? new LiveCaptureBench(segments, runs).run()
          : new AgentBench(segments, runs).run();
      case pipeline -> {
        java.util.Properties processor = new java.util.Properties();
        if (commitIntervalMs > 0) {
          processor.put("commit.interval.ms", String.valueOf(commitIntervalMs));
        }
        if (threads > 0) {
          processor.put("num.stream.threads", String.valueOf(threads));
        }
        yield new PipelineBench(segments, sessions, System.out)
            .run(processor, latencyRate, latencySeconds);
      }
    };
  }
}
