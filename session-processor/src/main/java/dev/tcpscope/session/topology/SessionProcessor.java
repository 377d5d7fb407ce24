package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionEngine;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.topology.SessionSlots.Slot;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import dev.tcpscope.session.wire.TcpSegmentReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The engine inside Kafka Streams. Each segment goes to its (connection, observer) slot in
 * {@link SessionSlots}, the {@link SessionEngine} decides, and reported sessions are forwarded;
 * undecodable input goes to the dead-letter topic with a reason.
 *
 * <p>Time is each observer's capture clock: the newest segment or heartbeat it sent. Before a
 * segment is applied, whatever its observer's clock has made due is ended first, exactly as
 * {@code analyze} does while reading a file, so both give the same sessions; a heartbeat ends
 * what it makes due at once, so a hanging session is reported even when the network is
 * quiet. An observer that falls silent altogether (its agent gone) would keep its sessions
 * forever, so a wall-clock punctuator moves a silent observer's clock on at wall-clock pace
 * once it has been silent for {@link #SILENCE_GRACE_MS}. All of it goes through the {@link
 * ExpiryIndex}: the cost follows what expires, not what exists.
 */
final class SessionProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String SUSPICIOUS_SINK = "suspicious-sessions";
  static final String DEAD_LETTER_SINK = "dead-letter";
  static final String SESSIONS_SINK = "sessions-out";

  /** Reasons whose verdict is about loss: the capture's own drops can fake them. */
  private static final java.util.Set<String> LOSS_VERDICTS = java.util.Set.of("RETRANSMIT",
      "SYN_RETRANSMIT", "DUPLICATE_SYN", "TIMEOUT", "LONG_DELAY");

  /** Drop intervals remembered per observer (capture time), newest last. */
  private static final int DROP_INTERVALS_KEPT = 64;

  private final TopologySettings settings;
  private final TcpSegmentReader segmentReader = new TcpSegmentReader();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private final SingleObjectSerde<SuspiciousSession> suspicious = TcpscopeSerdes.suspiciousSession();
  private final Segment segment = new Segment();
  /** Each observer's capture clock, and whether a heartbeat moved it since the last sweep. */
  private final Map<String, ObserverClock> clocks = new HashMap<>();

  private ProcessorContext<byte[], byte[]> context;
  private SessionSlots slots;
  private SessionEngine engine;
  private final ExpiryIndex index = new ExpiryIndex();
  private ProcessorMetrics metrics;
  private byte[] currentConnectionKey;

  /**
   * How long an observer may be silent (agents send a heartbeat every second) before the wall
   * clock moves its capture clock on.
   */
  static final long SILENCE_GRACE_MS = 10_000;

  private static final class ObserverClock {
    long nowUs = Long.MIN_VALUE;
    /** Capture clock of its previous heartbeat, and the intervals in which it dropped packets. */
    long lastHeartbeatUs = Long.MIN_VALUE;
    final java.util.ArrayDeque<long[]> dropping = new java.util.ArrayDeque<>();
    /** Wall-clock time of its last record, and up to when its clock was moved on since. */
    long lastSeenWallMs;
    long extrapolatedToWallMs;
  }

  SessionProcessor(TopologySettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.slots = context.getStateStore(TopologySettings.STORE);
    // With the topic of every session on, the engine reports every session; emit() decides
    // which of them are suspicious as the user's rules say.
    RuleSettings engineRules = settings.sessionsTopic() != null
        ? settings.rules().withAll(true) : settings.rules();
    this.engine = new SessionEngine(engineRules, this::emit);
    this.metrics = settings.metrics();
    index.clear();
    slots.load((slot, session) -> {
      engine.resumed(session);
      index.schedule(slot);
    });
    context.schedule(settings.sweepInterval(), PunctuationType.WALL_CLOCK_TIME,
        wallMs -> metrics.punctuation.record(() -> advanceSilentObservers(wallMs)));
    metrics.taskOpened(this, slots::size);
  }

  @Override
  public void close() {
    metrics.taskClosed(this);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    if (record.key() == null || record.value() == null) {
      deadLetter(record, "record without a key or value");
      return;
    }
    if (heartbeats.isEncodedWithThisSchema(record.value())) {
      onHeartbeat(record);
      return;
    }
    try {
      segmentReader.read(record.value(), segment);
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    metrics.segments.increment();
    String observer = segmentReader.observer();
    advance(observer, segment.tsUs);
    Slot slot = slots.getOrCreate(Bytes.wrap(SessionStoreKey.of(record.key(), observer)), observer);
    currentConnectionKey = record.key();
    Session next = engine.onSegment(slot.session, segment, observer, segmentReader.source());
    settle(slot, next);
  }

  /** Moves the observer's clock to {@code captureUs} if that is later, ending what is due. */
  private ObserverClock advance(String observer, long captureUs) {
    ObserverClock clock = clocks.computeIfAbsent(observer, o -> new ObserverClock());
    clock.lastSeenWallMs = context.currentSystemTimeMs();
    if (captureUs > clock.nowUs) {
      clock.nowUs = captureUs;
      expire(observer, captureUs);
    }
    return clock;
  }

  /** Stores what the engine left in the slot, and queues its next deadline. */
  private void settle(Slot slot, Session next) {
    if (next != slot.session) {
      index.replaced(slot);
      slot.session = next;
    }
    slots.changed(slot);
    index.schedule(slot);
  }

  /** Ends the observer's sessions that are due at its clock. */
  private void expire(String observer, long nowUs) {
    index.due(observer, nowUs, slot -> {
      currentConnectionKey = SessionStoreKey.connectionKey(slot.key.get());
      settle(slot, engine.onClock(slot.session, nowUs));
    });
  }

  /**
   * A heartbeat moves its observer's capture clock on, ending what became due; the last one of
   * a capture file ends that file's open sessions, as the end of a file does in {@code
   * analyze}.
   */
  private void onHeartbeat(Record<byte[], byte[]> record) {
    AgentHeartbeat heartbeat;
    try {
      heartbeat = heartbeats.decode(record.value());
    } catch (SerializationException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    metrics.heartbeats.increment();
    String observer = heartbeat.getObserver();
    ObserverClock clock = advance(observer, heartbeat.getCaptureClockUs());
    if (heartbeat.getDropping() && clock.lastHeartbeatUs != Long.MIN_VALUE) {
      clock.dropping.addLast(new long[] {clock.lastHeartbeatUs, heartbeat.getCaptureClockUs()});
      if (clock.dropping.size() > DROP_INTERVALS_KEPT) {
        clock.dropping.removeFirst();
      }
    }
    clock.lastHeartbeatUs = Math.max(clock.lastHeartbeatUs, heartbeat.getCaptureClockUs());
    if (!heartbeat.getEndOfCapture()) {
      return;
    }
    List<Slot> open = new ArrayList<>();
    for (Slot slot : index.slotsOf(observer)) {
      if (slot.session.source().equals(heartbeat.getSource())) {
        open.add(slot);
      }
    }
    for (Slot slot : open) {
      currentConnectionKey = SessionStoreKey.connectionKey(slot.key.get());
      engine.onEndOfCapture(slot.session);
      settle(slot, null);
    }
  }

  /** Moves the clocks of observers silent for longer than the grace on at wall-clock pace. */
  private void advanceSilentObservers(long wallMs) {
    for (Map.Entry<String, ObserverClock> e : clocks.entrySet()) {
      ObserverClock clock = e.getValue();
      long from = Math.max(clock.lastSeenWallMs + SILENCE_GRACE_MS, clock.extrapolatedToWallMs);
      if (wallMs > from && clock.nowUs != Long.MIN_VALUE) {
        clock.nowUs += (wallMs - from) * 1000;
        clock.extrapolatedToWallMs = wallMs;
        expire(e.getKey(), clock.nowUs);
      }
    }
  }

  private void emit(SessionReport report) {
    metrics.sessionsEnded.increment();
    if (lossVerdictDuringDrops(report)) {
      report = report.withLowConfidence();
    }
    long timestampMs = report.endUs() / 1000;
    if (settings.sessionsTopic() != null) {
      context.forward(new Record<>(currentConnectionKey,
          suspicious.encode(SuspiciousSessionMapper.toAvro(report.withoutShown())), timestampMs),
          SESSIONS_SINK);
      if (report.reasons().isEmpty() && !settings.rules().all()) {
        return; // judged clean by the user's rules: only the topic of every session has it
      }
    }
    for (String reason : report.reasons()) {
      metrics.suspicious(reason);
    }
    if (report.lowConfidence()) {
      metrics.lowConfidence.increment();
    }
    context.forward(new Record<>(currentConnectionKey,
        suspicious.encode(SuspiciousSessionMapper.toAvro(report)), timestampMs), SUSPICIOUS_SINK);
  }

  /**
   * True when the report carries a verdict about loss and its observer said it was dropping
   * packets at some time during the session. Heartbeats come once a second, so a session that
   * ends within a second of the drops may be judged before its heartbeat arrives.
   */
  private boolean lossVerdictDuringDrops(SessionReport report) {
    ObserverClock clock = clocks.get(report.observer());
    if (clock == null || clock.dropping.isEmpty()) {
      return false;
    }
    boolean lossVerdict = false;
    for (String reason : report.reasons()) {
      lossVerdict |= LOSS_VERDICTS.contains(reason);
    }
    if (!lossVerdict) {
      return false;
    }
    for (long[] interval : clock.dropping) {
      if (interval[0] <= report.endUs() && interval[1] >= report.startUs()) {
        return true;
      }
    }
    return false;
  }

  private void deadLetter(Record<byte[], byte[]> record, String reason) {
    RecordHeaders headers = new RecordHeaders();
    record.headers().forEach(headers::add);
    metrics.deadLetters.increment();
    headers.add(TcpscopeTopics.DEAD_LETTER_REASON_HEADER,
        (reason == null ? "undecodable" : reason).getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
        DEAD_LETTER_SINK);
  }
}
