package dev.tcpscope.web.feed;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.wire.SuspiciousSessionMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows the anomaly, hotspot and heartbeat topics for the web view, without a consumer
 * group (every page server sees everything), read_committed (only sessions of committed
 * transactions). It starts a given number of records before the end of each partition, so a
 * freshly opened page has history, and picks up topics and partitions that appear later (the
 * web view may start before the processor has created them) the same way.
 */
public final class TopicTail implements AutoCloseable {
  /** Where decoded records go; called from the tail's own thread only. */
  public interface Sink {
    void session(SessionReport report);

    void hotspot(String key, Hotspot hotspot);

    void heartbeat(AgentHeartbeat heartbeat);

    /** After each poll, with or without records: time for periodic work. */
    void polled();
  }

  private static final Duration TOPIC_CHECK = Duration.ofSeconds(5);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Integer> backlog;
  private final Sink sink;
  private final SingleObjectSerde<SuspiciousSession> sessions = TcpscopeSerdes.suspiciousSession();
  private final SingleObjectSerde<Hotspot> hotspots = TcpscopeSerdes.hotspot();
  private final SingleObjectSerde<AgentHeartbeat> heartbeats = TcpscopeSerdes.agentHeartbeat();
  private final Set<TopicPartition> assigned = new HashSet<>();
  private final AtomicLong undecodable = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private long nextTopicCheck;
  private boolean started;
  private volatile int followed;

  /**
   * @param backlog per topic, how many records before each partition's end to start from
   */
  public TopicTail(Properties clientSettings, Map<String, Integer> backlog, Sink sink) {
    Properties p = new Properties();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tcpscope-web");
    p.putAll(clientSettings);
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.backlog = Map.copyOf(backlog);
    this.sink = sink;
    this.thread = new Thread(this::run, "tcpscope-web-feed");
    this.thread.setDaemon(true);
  }

  /** The topics the web view follows, with the records each starts from before its end. */
  public static Map<String, Integer> defaultBacklog(int sessions) {
    return Map.of(TcpscopeTopics.SUSPICIOUS_SESSIONS, sessions,
        // a session counts in several windows and each window is republished as it grows
        TcpscopeTopics.HOTSPOTS, 20_000,
        // one heartbeat a second per agent: about an hour of a small fleet, so stale agents show
        TcpscopeTopics.HEARTBEATS, 100_000);
  }

  public void start() {
    started = true;
    thread.start();
  }

  private void run() {
    try {
      while (running) {
        if (System.nanoTime() - nextTopicCheck >= 0) {
          followNewPartitions();
          nextTopicCheck = System.nanoTime() + TOPIC_CHECK.toNanos();
        }
        if (!assigned.isEmpty()) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
            dispatch(r);
          }
        } else {
          Thread.sleep(250);
        }
        sink.polled();
      }
    } catch (WakeupException | InterruptedException e) {
      // close() asked us to stop
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void followNewPartitions() {
    Set<TopicPartition> found = new HashSet<>();
    for (String topic : backlog.keySet()) {
      try {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
          found.add(new TopicPartition(topic, info.partition()));
        }
      } catch (KafkaException e) {
        if (e instanceof WakeupException w) {
          throw w;
        }
        // not there yet, or the cluster is unreachable: look again at the next check
      }
    }
    found.removeAll(assigned);
    if (found.isEmpty()) {
      return;
    }
    assigned.addAll(found);
    consumer.assign(assigned);
    followed = assigned.size();
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(found);
    Map<TopicPartition, Long> end = consumer.endOffsets(found);
    for (TopicPartition tp : found) {
      consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - backlog.get(tp.topic())));
    }
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      switch (r.topic()) {
        case TcpscopeTopics.SUSPICIOUS_SESSIONS ->
            sink.session(SuspiciousSessionMapper.fromAvro(sessions.decode(r.value())));
        case TcpscopeTopics.HOTSPOTS -> {
          Hotspot h = hotspots.decode(r.value());
          String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
          sink.hotspot(key, h);
        }
        case TcpscopeTopics.HEARTBEATS -> sink.heartbeat(heartbeats.decode(r.value()));
        default -> { }
      }
    } catch (SerializationException e) {
      undecodable.incrementAndGet();
    }
  }

  public int followedPartitions() {
    return followed;
  }

  /** Records that could not be decoded and were skipped. */
  public long undecodable() {
    return undecodable.get();
  }

  /** Why the tail stopped on its own, or null. */
  public Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    running = false;
    if (!started) {
      consumer.close(Duration.ZERO);
      return;
    }
    consumer.wakeup();
    try {
      thread.join(10_000); // the tail's thread closes the consumer: it is not thread safe
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
