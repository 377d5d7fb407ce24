package dev.tcpscope.session.runtime;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The processor's Kafka Streams settings; the caller's (TLS, SASL, tuning) override them. */
public final class StreamsProperties {
  private StreamsProperties() {}

  /**
   * How often a processor commits, when not told: each commit writes every session changed
   * since the last one, so a longer interval writes each busy session fewer times, and a
   * suspicious session reaches read_committed consumers up to this much later. Kafka's own
   * exactly-once default is 100 ms; 250 ms gave about a third more segments per second with a
   * p99 latency near 400 ms, and 400 ms another quarter (medians 258k against 207k segments/s)
   * with a p99 near 600 ms, inside the 1 s the processor promises ({@code bin/tcpscope bench
   * pipeline --commit-interval-ms N}, alternating, 2026-12-02).
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 400;

  /**
   * How a processor instance runs beside the others.
   *
   * @param threads stream threads of this instance
   * @param standbyReplicas warm copies of each task's state on other instances
   * @param commitIntervalMs how often state and output are committed (null: {@link
   *     #DEFAULT_COMMIT_INTERVAL_MS})
   * @param rocksDbMemoryBytes the off-heap budget of all RocksDB stores of the instance
   * @param fromBeginning where a new application id starts: the oldest retained segment
   *     (true) or the newest (false); an existing one goes on from its committed offsets
   * @param applicationServer host:port of this instance's HTTP endpoint for interactive
   *     queries, or null
   */
  public record Tuning(int threads, int standbyReplicas, Long commitIntervalMs,
      long rocksDbMemoryBytes, boolean fromBeginning, String applicationServer) {

    public Tuning {
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
      }
      if (standbyReplicas < 0) {
        throw new IllegalArgumentException(
            "--standby-replicas must be 0 or more, not " + standbyReplicas);
      }
      if (commitIntervalMs != null && commitIntervalMs < 1) {
        throw new IllegalArgumentException(
            "--commit-interval-ms must be at least 1, not " + commitIntervalMs);
      }
      if (rocksDbMemoryBytes < (8L << 20)) {
        throw new IllegalArgumentException("--rocksdb-memory-mb must be at least 8, not "
            + (rocksDbMemoryBytes >> 20));
      }
    }

    /** One thread, no standby, the default commit interval, 64 MB of RocksDB, from the start. */
    public static Tuning local() {
      return new Tuning(1, 0, null, 64L << 20, true, null);
    }
  }

  public static Properties of(
      String bootstrapServers,
      String applicationId,
      String processingGuarantee,
      Path stateDir,
      Properties clientSettings) {
    return of(bootstrapServers, applicationId, processingGuarantee, stateDir, clientSettings,
        Tuning.local());
  }

  public static Properties of(
      String bootstrapServers,
      String applicationId,
      String processingGuarantee,
      Path stateDir,
      Properties clientSettings,
      Tuning tuning) {
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, String.valueOf(tuning.threads()));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, String.valueOf(tuning.standbyReplicas()));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(
        tuning.commitIntervalMs() != null ? tuning.commitIntervalMs() : DEFAULT_COMMIT_INTERVAL_MS));
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StateStoreOptions.class.getName());
    p.put(BoundedRocksDbMemory.TOTAL_BYTES_CONFIG, String.valueOf(tuning.rocksDbMemoryBytes()));
    if (tuning.applicationServer() != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, tuning.applicationServer());
    }
    // Segments are judged in capture order per connection. A new application id starts where
    // it is told to; one with committed offsets always goes on from them.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
        tuning.fromBeginning() ? "earliest" : "latest");
    // The session store's cache is the processor's own (SessionSlots); Streams' record cache
    // would only hold the hotspot windows, which need little.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(4L << 20));
    // Every task reads one partition (segments; anomalies; the hotspot repartition), so there is
    // no other input to wait for and the order is the same. The default (0) makes Streams build
    // two HashSets per record to decide that: 5 % of the stream thread (JFR, bench pipeline).
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, String.valueOf(
        StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
    p.putAll(clientSettings);
    return p;
  }
}
