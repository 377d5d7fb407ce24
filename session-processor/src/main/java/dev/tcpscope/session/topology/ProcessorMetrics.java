package dev.tcpscope.session.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The processor's own meters (Kafka Streams' and its clients' are bound beside them by the
 * runtime): what came in, what went out per reason, the dead letters, the sessions open now,
 * and the time the wall-clock punctuator takes. Shared by every task of the application.
 */
public final class ProcessorMetrics {
  private final MeterRegistry registry;
  final Counter segments;
  final Counter heartbeats;
  final Counter deadLetters;
  final Counter sessionsEnded;
  final Counter lowConfidence;
  final Counter sessionsDropped;
  final Counter keptSegmentsDropped;
  final Timer punctuation;
  private final Map<String, Counter> suspiciousByReason = new ConcurrentHashMap<>();
  private final Map<Object, IntSupplier> openByTask = new ConcurrentHashMap<>();

  public ProcessorMetrics(MeterRegistry registry) {
    this.registry = registry;
    segments = Counter.builder("tcpscope.processor.segments")
        .description("TCP segments applied to sessions").register(registry);
    heartbeats = Counter.builder("tcpscope.processor.heartbeats")
        .description("Agent heartbeats read from the segment topic").register(registry);
    deadLetters = Counter.builder("tcpscope.processor.dead.letters")
        .description("Records sent to the dead-letter topic (undecodable input)")
        .register(registry);
    sessionsEnded = Counter.builder("tcpscope.processor.sessions.ended")
        .description("Sessions ended, reported or not").register(registry);
    lowConfidence = Counter.builder("tcpscope.processor.suspicious.low.confidence")
        .description("Suspicious sessions judged while their observer was dropping packets")
        .register(registry);
    sessionsDropped = Counter.builder("tcpscope.processor.sessions.dropped")
        .description("Segments of new sessions not tracked: their task already held -L sessions"
            + " of that observer (miruo's DropSession)")
        .register(registry);
    keptSegmentsDropped = Counter.builder("tcpscope.processor.kept.segments.dropped")
        .description("Segments not kept for display: -l were kept (miruo's DropSegment)")
        .register(registry);
    punctuation = Timer.builder("tcpscope.processor.punctuation")
        .description("Time the wall-clock punctuator spends moving silent observers' clocks")
        .register(registry);
    Gauge.builder("tcpscope.processor.sessions.open", this, ProcessorMetrics::openSessions)
        .description("Sessions held by this instance's tasks (open, or ended and waiting for"
            + " late segments)")
        .register(registry);
  }

  /** Meters nobody reads (tests, and runs without a metrics endpoint). */
  public static ProcessorMetrics unregistered() {
    return new ProcessorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** What {@code tcpscope.processor.sessions.dropped} counts: refused past -L. */
  public long droppedSessions() {
    return (long) sessionsDropped.count();
  }

  /** What {@code tcpscope.processor.kept.segments.dropped} counts: not kept past -l. */
  public long droppedKeptSegments() {
    return (long) keptSegmentsDropped.count();
  }

  void suspicious(String reason) {
    suspiciousByReason.computeIfAbsent(reason, r -> Counter.builder("tcpscope.processor.suspicious")
        .description("Suspicious sessions published, per reason").tag("reason", r)
        .register(registry)).increment();
  }

  void taskOpened(Object task, IntSupplier openSessions) {
    openByTask.put(task, openSessions);
  }

  void taskClosed(Object task) {
    openByTask.remove(task);
  }

  int openSessions() {
    int n = 0;
    for (IntSupplier s : openByTask.values()) {
      n += s.getAsInt();
    }
    return n;
  }
}
