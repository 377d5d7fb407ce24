package dev.tcpscope.benchmarks;

import dev.tcpscope.cli.bench.SyntheticTraffic;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionTable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: segments per second through the session engine (a {@link SessionTable} with miruo's
 * default rules) at a fixed number of concurrent sessions, on one thread. If the cost of a
 * segment grew with the open sessions, the scores at 1,000, 10,000 and 100,000 would fall
 * apart; they stay within noise. Built only with the {@code benchmarks} profile:
 *
 * <pre>
 * mvn -B -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar EngineBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx1g"})
public class EngineBenchmark {
  private static final int BATCH = 1_000;

  @Param({"1000", "10000", "100000"})
  int sessions;

  private SessionTable table;
  private SyntheticTraffic traffic;
  private final Segment segment = new Segment();

  @Setup
  public void setUp() {
    RuleSettings d = RuleSettings.defaults();
    // -L above the concurrency (as miruo -L 0), so every session is tracked at 100,000 too
    RuleSettings rules = new RuleSettings(d.longConnectMs(), d.longDelayMs(), d.retransmitMs(),
        d.synRetransmit(), d.rstMode(), d.fragment(), d.all(), 1 << 20, d.segmentLimit(),
        d.viewData(), d.httpMode());
    table = new SessionTable(rules, "jmh", r -> { });
    traffic = new SyntheticTraffic(sessions, 6);
    for (int i = 0; i < sessions * 3; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
  }

  /** One invocation applies {@value #BATCH} segments; the score is segments per second. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int segments() {
    for (int i = 0; i < BATCH; i++) {
      traffic.next(segment);
      table.onSegment(segment);
    }
    return table.size();
  }
}
