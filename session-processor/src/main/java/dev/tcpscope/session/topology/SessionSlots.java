package dev.tcpscope.session.topology;

import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionStateCodec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
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
 * The sessions of one task, kept hot in memory as engine objects, in front of a persistent,
 * changelogged RocksDB store that is their durable record.
 *
 * <p>Why not a plain store: a get and a put per segment cost a decode, an encode, a RocksDB
 * write and a changelog record each (about 120k segments/s here). Instead, a segment mutates
 * the session in memory and marks it dirty; when Kafka Streams commits, it first flushes
 * caches ({@link #flushCache}), and that is when each dirty session is encoded once and
 * written to the store and its changelog, inside the same transaction as the input offsets
 * and the output records. So the changelog always holds the state as of the committed input,
 * which is what exactly-once restore needs, at one write per active session per commit
 * rather than one per segment.
 *
 * <p>{@code CachedStateStore} is Kafka Streams' internal interface for "flush me before the
 * commit"; the public API has no pre-commit hook (a store's {@code commit} runs after the
 * transaction). Kafka is pinned in the parent pom; {@code SessionSlotsTest} and the
 * exactly-once tests fail if a Kafka upgrade changes that contract.
 *
 * <p>Every open session of the task is in memory (bounded by {@code -L}, per task); they are
 * loaded from the store when the task starts ({@link #load}).
 */
public final class SessionSlots
    implements StateStore, CachedStateStore<Bytes, byte[]>, OpenSessionStore {

  /** A connection's slot as this observer sees it: its session and what the store lacks. */
  static final class Slot {
    final Bytes key;
    final String observer;
    Session session;
    boolean dirty;
    /** Whether the expiry index holds an entry for this slot's current session. */
    boolean queued;

    Slot(Bytes key, String observer) {
      this.key = key;
      this.observer = observer;
    }
  }

  private final KeyValueStore<Bytes, byte[]> committed;
  private final HashMap<Bytes, Slot> slots = new HashMap<>();
  private final ArrayList<Slot> dirty = new ArrayList<>();
  private long flushedSessions;

  SessionSlots(KeyValueStore<Bytes, byte[]> committed) {
    this.committed = committed;
  }

  Slot get(Bytes key) {
    return slots.get(key);
  }

  /** The slot for a key, created empty when the connection is new to this observer. */
  Slot getOrCreate(Bytes key, String observer) {
    Slot slot = slots.get(key);
    if (slot == null) {
      slot = new Slot(key, observer);
      slots.put(key, slot);
    }
    return slot;
  }

  /** Records that the slot's session changed (or emptied) since the last commit. */
  void changed(Slot slot) {
    if (!slot.dirty) {
      slot.dirty = true;
      dirty.add(slot);
    }
  }

  int size() {
    return slots.size();
  }

  Collection<Slot> all() {
    return slots.values();
  }

  /** Sessions written to the store by commits so far (a measure of changelog traffic). */
  long flushedSessions() {
    return flushedSessions;
  }

  /**
   * Fills memory from the store, as the task starts (after restoration from the changelog).
   * A state that no longer decodes (an older layout) is dropped: that connection starts
   * afresh.
   */
  void load(BiConsumer<Slot, Session> loaded) {
    slots.clear();
    dirty.clear();
    List<Bytes> undecodable = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> all = committed.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, byte[]> entry = all.next();
        Session session;
        try {
          session = SessionStateCodec.decode(entry.value);
        } catch (IllegalArgumentException e) {
          undecodable.add(entry.key);
          continue;
        }
        Slot slot = new Slot(entry.key, session.observer());
        slot.session = session;
        slots.put(entry.key, slot);
        loaded.accept(slot, session);
      }
    }
    undecodable.forEach(committed::delete);
  }

  /** Writes every dirty session to the store (and so to its changelog), once each. */
  @Override
  public void flushCache() {
    for (Slot slot : dirty) {
      slot.dirty = false;
      if (slot.session == null) {
        committed.delete(slot.key);
        if (slots.get(slot.key) == slot) {
          slots.remove(slot.key);
        }
      } else {
        committed.put(slot.key, SessionStateCodec.encode(slot.session));
        flushedSessions++;
      }
    }
    dirty.clear();
  }

  @Override
  public void clearCache() {
    slots.clear();
    dirty.clear();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener,
      boolean sendOldValues) {
    return false; // nothing downstream listens to this store's flushes
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

  // ---- StateStore: the inner store does the work; this object is the registered root ----

  @Override
  public String name() {
    return committed.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    clearCache();
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
    clearCache();
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
