package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.ConnectionKeys;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionTable;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import dev.tcpscope.session.wire.TcpSegmentReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The engine inside Kafka Streams: each observer's sessions are a {@link SessionTable}, the
 * very one {@code analyze} uses, so the Kafka path and {@code analyze} judge alike by
 * construction. The tables live in memory; {@link SessionSlots} writes what changed at each
 * commit and reads it all back when the task starts. Undecodable input goes to the
 * dead-letter topic with a reason.
 *
 * <p>Time is each observer's capture clock: its newest segment or heartbeat. A heartbeat
 * moves it on and ends what became due at once, so a hanging session is reported even when
 * the network is silent. An observer that falls silent altogether (its agent gone) would keep
 * its sessions forever, so a wall-clock punctuator moves a silent observer's clock on at
 * wall-clock pace once it has been silent for {@link #SILENCE_GRACE_MS}.
 */
final class SessionProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String SUSPICIOUS_SINK = "suspicious-sessions";
  static final String DEAD_LETTER_SINK = "dead-letter";
  static final String SESSIONS_SINK = "sessions-out";

  /**
   * How long an observer may be silent (agents send a heartbeat every second) before the wall
   * clock moves its capture clock on.
   */
  static final long SILENCE_GRACE_MS = 10_000;

  /** Reasons whose verdict is about loss: the capture's own drops can fake them. */
  private static final Set<String> LOSS_VERDICTS = Set.of("RETRANSMIT", "SYN_RETRANSMIT",
      "DUPLICATE_SYN", "TIMEOUT", "LONG_DELAY");

  /** Drop intervals remembered per observer (capture time), newest last. */
  private static final int DROP_INTERVALS_KEPT = 64;

  private final TopologySettings settings;
  private final TcpSegmentReader segmentReader = new TcpSegmentReader();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private final SingleObjectSerde<SuspiciousSession> suspicious = TcpscopeSerdes.suspiciousSession();
  private final SingleObjectSerde<ConnectionKey> connectionKeys = TcpscopeSerdes.connectionKey();
  private final Segment segment = new Segment();
  private final Map<String, Observer> observers = new HashMap<>();
  private RuleSettings engineRules;
  private ProcessorContext<byte[], byte[]> context;
  private SessionSlots store;
  private ProcessorMetrics metrics;

  /** One observer as this task sees it: its sessions, its clock, its reported drops. */
  private final class Observer {
    final String id;
    final byte[] idBytes;
    final SessionTable sessions;
    long clockUs = Long.MIN_VALUE;
    /** Capture clock of its previous heartbeat, and the intervals in which it dropped packets. */
    long lastHeartbeatUs = Long.MIN_VALUE;
    final ArrayDeque<long[]> dropping = new ArrayDeque<>();
    /** Wall-clock time of its last record, and up to when its clock was moved on since. */
    long lastSeenWallMs;
    long extrapolatedToWallMs;
    /** The table's drop counts already added to the meters. */
    long droppedSessionsCounted;
    long droppedSegmentsCounted;

    Observer(String id) {
      this.id = id;
      this.idBytes = id.getBytes(StandardCharsets.UTF_8);
      this.sessions = new SessionTable(engineRules, id, report -> emit(this, report))
          .trackChanges();
    }

    /** Moves the clock to {@code captureUs} if that is later, ending what became due. */
    void advance(long captureUs) {
      lastSeenWallMs = context.currentSystemTimeMs();
      if (captureUs > clockUs) {
        clockUs = captureUs;
        sessions.advanceClock(captureUs);
      }
    }

    /** The store key of a slot of this observer: the connection first, for prefix scans. */
    byte[] storeKey(byte[] slotKey) {
      byte[] key = new byte[slotKey.length + idBytes.length];
      System.arraycopy(slotKey, 0, key, 0, slotKey.length);
      System.arraycopy(idBytes, 0, key, slotKey.length, idBytes.length);
      return key;
    }
  }

  SessionProcessor(TopologySettings settings) {
    this.settings = settings;
  }

  private Observer observer(String id) {
    Observer o = observers.get(id);
    if (o == null) {
      o = new Observer(id);
      observers.put(id, o);
    }
    return o;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(TopologySettings.STORE);
    this.metrics = settings.metrics();
    // With the topic of every session on, the engine reports every session; emit() decides
    // which of them are suspicious as the user's rules say.
    this.engineRules = settings.sessionsTopic() != null
        ? settings.rules().withAll(true) : settings.rules();
    observers.clear();
    store.load(session -> observer(session.observer()).sessions.restore(session));
    store.beforeCommit(this::writeChanges);
    context.schedule(settings.sweepInterval(), PunctuationType.WALL_CLOCK_TIME,
        wallMs -> metrics.punctuation.record(() -> advanceSilentObservers(wallMs)));
    metrics.taskOpened(this, this::sessionsHeld);
  }

  private int sessionsHeld() {
    int n = 0;
    for (Observer o : observers.values()) {
      n += o.sessions.size();
    }
    return n;
  }

  /** Writes each session changed since the last commit into the store, once. */
  private void writeChanges() {
    for (Observer o : observers.values()) {
      o.sessions.drainChanges((slotKey, session) -> store.write(o.storeKey(slotKey), session));
      // The limits' drops, counted by the table, reach the meters once per commit.
      long sessions = o.sessions.stats().droppedSessions();
      metrics.sessionsDropped.increment(sessions - o.droppedSessionsCounted);
      o.droppedSessionsCounted = sessions;
      long segments = o.sessions.stats().droppedSegments();
      metrics.keptSegmentsDropped.increment(segments - o.droppedSegmentsCounted);
      o.droppedSegmentsCounted = segments;
    }
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
    Observer o = observer(segmentReader.observer());
    o.lastSeenWallMs = context.currentSystemTimeMs();
    if (segment.tsUs > o.clockUs) {
      o.clockUs = segment.tsUs;
    }
    o.sessions.source(segmentReader.source());
    o.sessions.onSegment(segment); // moves the table's clock to the segment first
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
    Observer o = observer(heartbeat.getObserver());
    o.advance(heartbeat.getCaptureClockUs());
    if (heartbeat.getDropping() && o.lastHeartbeatUs != Long.MIN_VALUE) {
      o.dropping.addLast(new long[] {o.lastHeartbeatUs, heartbeat.getCaptureClockUs()});
      if (o.dropping.size() > DROP_INTERVALS_KEPT) {
        o.dropping.removeFirst();
      }
    }
    o.lastHeartbeatUs = Math.max(o.lastHeartbeatUs, heartbeat.getCaptureClockUs());
    if (heartbeat.getEndOfCapture()) {
      o.sessions.endOfCapture(heartbeat.getSource());
    }
  }

  /** Moves the clocks of observers silent for longer than the grace on at wall-clock pace. */
  private void advanceSilentObservers(long wallMs) {
    for (Observer o : observers.values()) {
      long from = Math.max(o.lastSeenWallMs + SILENCE_GRACE_MS, o.extrapolatedToWallMs);
      if (wallMs > from && o.clockUs != Long.MIN_VALUE) {
        o.clockUs += (wallMs - from) * 1000;
        o.extrapolatedToWallMs = wallMs;
        o.sessions.advanceClock(o.clockUs);
      }
    }
  }

  private void emit(Observer o, SessionReport report) {
    metrics.sessionsEnded.increment();
    if (lossVerdictDuringDrops(o, report)) {
      report = report.withLowConfidence();
    }
    byte[] key = connectionKey(report);
    long timestampMs = report.endUs() / 1000;
    if (settings.sessionsTopic() != null) {
      context.forward(new Record<>(key,
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
    context.forward(new Record<>(key, suspicious.encode(SuspiciousSessionMapper.toAvro(report)),
        timestampMs), SUSPICIOUS_SINK);
  }

  /** The Kafka key of the report's connection, as agents key its segments. */
  private byte[] connectionKey(SessionReport report) {
    try {
      // literals only (the engine wrote them): no name lookup happens
      byte[] client = InetAddress.getByName(report.clientIp()).getAddress();
      byte[] server = InetAddress.getByName(report.serverIp()).getAddress();
      return connectionKeys.encode(ConnectionKeys.of(client, report.clientPort(), server,
          report.serverPort()));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("the engine reported an address it cannot have read: "
          + report.clientIp() + " / " + report.serverIp(), e);
    }
  }

  /**
   * True when the report carries a verdict about loss and its observer said it was dropping
   * packets at some time during the session. Heartbeats come once a second, so a session that
   * ends within a second of the drops may be judged before its heartbeat arrives.
   */
  private static boolean lossVerdictDuringDrops(Observer o, SessionReport report) {
    if (o.dropping.isEmpty()) {
      return false;
    }
    boolean lossVerdict = false;
    for (String reason : report.reasons()) {
      lossVerdict |= LOSS_VERDICTS.contains(reason);
    }
    if (!lossVerdict) {
      return false;
    }
    for (long[] interval : o.dropping) {
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
