package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionEngine;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionStateCodec;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import dev.tcpscope.session.wire.TcpSegmentMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The engine inside Kafka Streams: for each segment, reads its (connection, observer) slot
 * from the state store, lets the {@link SessionEngine} decide, writes the slot back and
 * forwards reported sessions; undecodable input goes to the dead-letter topic with a reason.
 * A punctuator ends idle sessions on each observer's own capture clock.
 */
final class SessionProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  static final String SUSPICIOUS_SINK = "suspicious-sessions";
  static final String DEAD_LETTER_SINK = "dead-letter";

  private final TopologySettings settings;
  private final SingleObjectSerde<TcpSegment> segments = TcpscopeSerdes.tcpSegment();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private final SingleObjectSerde<SuspiciousSession> suspicious = TcpscopeSerdes.suspiciousSession();
  private final Segment segment = new Segment();
  /** Newest capture time seen from each observer: its clock for timeouts. */
  private final Map<String, Long> observerClocks = new HashMap<>();

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<Bytes, byte[]> store;
  private SessionEngine engine;
  private byte[] currentConnectionKey;

  SessionProcessor(TopologySettings settings) {
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(TopologySettings.STORE);
    this.engine = new SessionEngine(settings.rules(), this::emit);
    context.schedule(settings.sweepInterval(), PunctuationType.STREAM_TIME, this::sweep);
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
    TcpSegment value;
    try {
      value = segments.decode(record.value());
      TcpSegmentMapper.copy(value, segment);
    } catch (SerializationException | IllegalArgumentException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    String observer = value.getObserver();
    observerClocks.merge(observer, segment.tsUs, Math::max);
    Bytes slotKey = Bytes.wrap(SessionStoreKey.of(record.key(), observer));
    Session current = load(slotKey);
    currentConnectionKey = record.key();
    Session next = engine.onSegment(current, segment, observer, value.getSource());
    save(slotKey, current, next);
  }

  /**
   * A heartbeat moves its observer's capture clock on (so sessions time out on a silent
   * network); the last one of a capture file ends that file's open sessions, as the end of
   * a file does in {@code analyze}.
   */
  private void onHeartbeat(Record<byte[], byte[]> record) {
    AgentHeartbeat heartbeat;
    try {
      heartbeat = heartbeats.decode(record.value());
    } catch (SerializationException e) {
      deadLetter(record, e.getMessage());
      return;
    }
    observerClocks.merge(heartbeat.getObserver(), heartbeat.getCaptureClockUs(), Math::max);
    if (!heartbeat.getEndOfCapture()) {
      return;
    }
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        Session current = decodeOrNull(entry.value);
        if (current == null || !current.observer().equals(heartbeat.getObserver())
            || !current.source().equals(heartbeat.getSource())) {
          continue;
        }
        currentConnectionKey = SessionStoreKey.connectionKey(entry.key.get());
        engine.onEndOfCapture(current);
        store.delete(entry.key);
      }
    }
  }

  /** Ends idle sessions; each observer's clock is the newest capture time it reported. */
  private void sweep(long streamTimeMs) {
    try (KeyValueIterator<Bytes, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        Session current = decodeOrNull(entry.value);
        if (current == null) {
          store.delete(entry.key);
          continue;
        }
        Long clock = observerClocks.get(current.observer());
        if (clock == null) {
          continue;
        }
        currentConnectionKey = SessionStoreKey.connectionKey(entry.key.get());
        Session next = engine.onClock(current, clock);
        if (next == null) {
          store.delete(entry.key);
        }
      }
    }
  }

  private Session load(Bytes key) {
    byte[] bytes = store.get(key);
    return bytes == null ? null : decodeOrNull(bytes);
  }

  private static Session decodeOrNull(byte[] bytes) {
    try {
      return SessionStateCodec.decode(bytes);
    } catch (IllegalArgumentException e) {
      return null; // a state of an older layout: the slot starts afresh
    }
  }

  private void save(Bytes key, Session current, Session next) {
    if (next == null) {
      if (current != null) {
        store.delete(key);
      }
      return;
    }
    store.put(key, SessionStateCodec.encode(next));
  }

  private void emit(SessionReport report) {
    byte[] value = suspicious.encode(SuspiciousSessionMapper.toAvro(report));
    context.forward(new Record<>(currentConnectionKey, value, report.endUs() / 1000),
        SUSPICIOUS_SINK);
  }

  private void deadLetter(Record<byte[], byte[]> record, String reason) {
    RecordHeaders headers = new RecordHeaders();
    record.headers().forEach(headers::add);
    headers.add(TcpscopeTopics.DEAD_LETTER_REASON_HEADER,
        (reason == null ? "undecodable" : reason).getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
        DEAD_LETTER_SINK);
  }
}
