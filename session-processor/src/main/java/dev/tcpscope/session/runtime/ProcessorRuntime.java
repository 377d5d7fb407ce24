package dev.tcpscope.session.runtime;

import dev.tcpscope.session.topology.OpenSessions;
import dev.tcpscope.session.topology.SessionTopology;
import dev.tcpscope.session.topology.TopologySettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.rocksdb.RocksDBException;

/**
 * Owns the processor's {@link KafkaStreams}: starts it, waits until it runs, stops it within
 * a deadline. An uncaught exception shuts the client down and is kept for the exit message.
 */
public final class ProcessorRuntime implements AutoCloseable {
  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private final String stateDir;
  private final String applicationId;

  public ProcessorRuntime(TopologySettings settings, Properties streamsProperties) {
    this.stateDir = streamsProperties.getProperty(StreamsConfig.STATE_DIR_CONFIG);
    this.applicationId = streamsProperties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
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
    try {
      streams.start(); // opens the stores of the tasks this instance had: a damaged one fails here
    } catch (StreamsException e) {
      throw new IllegalStateException("the processor failed to start: " + explain(e), e);
    }
    if (!running.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("Kafka Streams did not reach RUNNING within " + deadline);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("the processor failed to start: " + explain(failure.get()),
          failure.get());
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
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (text.indexOf(message) >= 0) {
        continue; // a wrapper repeating its cause's message
      }
      if (text.length() > 0) {
        text.append(": ");
      }
      text.append(message);
    }
    return text.toString();
  }

  /**
   * {@link #describe} and, when the failure is the state directory's (Kafka Streams names only
   * a store and RocksDB's error, deep down the chain), what it means and what to do: the
   * directory holds only a copy of the changelog, so it can always be rebuilt.
   */
  public String explain(Throwable failure) {
    String text = describe(failure);
    if (stateDir == null || !isStateFault(failure)) {
      return text;
    }
    Path dir = Path.of(stateDir).resolve(applicationId == null ? "" : applicationId);
    String rebuild = " The directory holds only a copy of the state; the changelog topics of"
        + " application id " + applicationId + " hold all of it, and a start rebuilds from them"
        + " what is missing.";
    if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
      return "the disk of the state directory " + dir + " is full (" + text + "). Free space"
          + " there (or give --state-dir another disk) and start again." + rebuild;
    }
    if (text.contains("Read-only file system") || text.contains("Permission denied")
        || text.contains("AccessDenied")) {
      return "the state directory " + dir + " cannot be written (" + text + "). Make it"
          + " writable for this user (or give --state-dir another one) and start again."
          + rebuild;
    }
    return "the state directory " + dir + " is damaged (" + text + "). Remove it (rm -rf '"
        + dir + "') and start again: the processor rebuilds it from the changelog topics of"
        + " application id " + applicationId + "; nothing is lost.";
  }

  /** True when a cause is the local state store's: RocksDB, or the state directory's files. */
  private static boolean isStateFault(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof ProcessorStateException || t instanceof RocksDBException
          || t instanceof java.nio.file.FileSystemException) {
        return true;
      }
    }
    return false;
  }

  public KafkaStreams streams() {
    return streams;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}
