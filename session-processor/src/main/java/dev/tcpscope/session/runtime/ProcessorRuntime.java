package dev.tcpscope.session.runtime;

import dev.tcpscope.session.topology.OpenSessions;
import dev.tcpscope.session.topology.SessionTopology;
import dev.tcpscope.session.topology.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Owns the processor's {@link KafkaStreams}: starts it, waits until it runs, stops it within
 * a deadline. An uncaught exception shuts the client down and is kept for the exit message.
 */
public final class ProcessorRuntime implements AutoCloseable {
  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public ProcessorRuntime(TopologySettings settings, Properties streamsProperties) {
    this.streams = new KafkaStreams(SessionTopology.build(settings), streamsProperties);
    streams.setUncaughtExceptionHandler(e -> {
      failure.set(e);
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        running.countDown();
      }
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        running.countDown();
        stopped.countDown();
      }
    });
  }

  /** Starts processing and waits until the application runs (or fails). */
  public void start(Duration deadline) throws InterruptedException {
    streams.start();
    if (!running.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + deadline);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the processor failed to start", failure.get());
    }
  }

  /** Blocks until the application stops (after a failure or {@link #close()}). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  public Throwable failure() {
    return failure.get();
  }

  /** True while the application runs or rebalances: what {@code /health} reports. */
  public boolean healthy() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
  }

  /** Binds Kafka Streams' own metrics (consumer lag, commit and process rates, RocksDB). */
  public void bindMetrics(MeterRegistry registry) {
    new KafkaStreamsMetrics(streams).bindTo(registry);
  }

  /** The sessions this instance holds, for interactive queries. */
  public OpenSessions openSessions() {
    return new OpenSessions(streams);
  }

  /**
   * A failure as an operator needs to read it: every cause's message, outermost first (a full
   * disk or a damaged state directory is named by RocksDB deep down the chain).
   */
  public static String describe(Throwable failure) {
    StringBuilder text = new StringBuilder();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (text.length() > 0) {
        text.append(": ");
      }
      text.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
    }
    return text.toString();
  }

  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
