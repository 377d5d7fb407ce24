package dev.tcpscope.session.topology;

import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionStateCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The durable record of a task's sessions: a persistent, changelogged RocksDB store, written
 * behind the processor's in-memory session tables.
 *
 * <p>Why not a plain store read and written per segment: a get and a put per segment cost a
 * decode, an encode, a RocksDB write and a changelog record each (about 120k segments/s
 * here). Instead, a segment changes its session in memory; when Kafka Streams commits, it
 * first flushes caches ({@link #flushCache}), and that is when the processor writes each
 * session changed since the last commit once, into the store and its changelog, inside the
 * same transaction as the input offsets and the output records. So the changelog always holds
 * the state as of the committed input, which is what exactly-once restore needs, at one write
 * per active session per commit rather than one per segment.
 *
 * <p>{@code CachedStateStore} is Kafka Streams' internal interface for "flush me before the
 * commit"; the public API has no pre-commit hook (a store's {@code commit} runs after the
 * transaction). Kafka is pinned in the parent pom; {@code ProcessorFleetIT}'s killed-instance
 * test fails if a Kafka upgrade changes that contract.
 */
public final class SessionSlots
    implements StateStore, CachedStateStore<Bytes, byte[]>, OpenSessionStore {

  private final KeyValueStore<Bytes, byte[]> committed;
  private Runnable beforeCommit = () -> { };

  SessionSlots(KeyValueStore<Bytes, byte[]> committed) {
    this.committed = committed;
  }

  /** What writes the changes since the last commit (the processor's session tables). */
  void beforeCommit(Runnable writeChanges) {
    this.beforeCommit = writeChanges;
  }

  /** Writes a slot's session, or removes it (null). */
  void write(byte[] key, Session sessionOrNull) {
    if (sessionOrNull == null) {
      committed.delete(Bytes.wrap(key));
    } else {
      committed.put(Bytes.wrap(key), SessionStateCodec.encode(sessionOrNull));
    }
  }

  /**
   * Reads every session back, as the task starts (after restoration from the changelog). A
   * state that no longer decodes (an older layout) is dropped: that connection starts afresh.
   */
  void load(Consumer<Session> loaded) {
    List<Bytes> undecodable = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = committed.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        try {
          loaded.accept(SessionStateCodec.decode(entry.value));
        } catch (IllegalArgumentException e) {
          undecodable.add(entry.key);
        }
      }
    }
    undecodable.forEach(committed::delete);
  }

  @Override
  public List<Session> committedSessions(byte[] keyPrefix) {
    List<Session> sessions = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = keyPrefix == null ? committed.all()
        : committed.prefixScan(Bytes.wrap(keyPrefix), new BytesSerializer())) {
      while (it.hasNext()) {
        try {
          sessions.add(SessionStateCodec.decode(it.next().value));
        } catch (IllegalArgumentException e) {
          // an older layout: the task drops it when it starts
        }
      }
    }
    return sessions;
  }

  /** Writes what changed since the last commit, once each: Streams commits next. */
  @Override
  public void flushCache() {
    beforeCommit.run();
  }

  @Override
  public void clearCache() {
    // the processor's tables are the cache; a recycled task builds new ones
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener,
      boolean sendOldValues) {
    return false; // nothing downstream listens to this store's flushes
  }

  // ---- StateStore: the inner store does the work; this object is the registered root ----

  @Override
  public String name() {
    return committed.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    beforeCommit = () -> { };
    committed.init(context, root);
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    committed.commit(changelogOffsets);
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return committed.committedOffset(partition);
  }

  @Override
  public boolean managesOffsets() {
    return committed.managesOffsets();
  }

  @Override
  public void close() {
    beforeCommit = () -> { };
    committed.close();
  }

  @Override
  public boolean persistent() {
    return committed.persistent();
  }

  @Override
  public boolean isOpen() {
    return committed.isOpen();
  }

  @Override
  public Position getPosition() {
    return committed.getPosition();
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return committed.approximateNumUncommittedBytes();
  }
}
