package dev.tcpscope.session.topology;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds {@link SessionSlots} around a persistent RocksDB key-value store with its changelog.
 * The record cache stays off: the slots are the cache, holding engine objects rather than
 * bytes.
 */
final class SessionSlotsBuilder implements StoreBuilder<SessionSlots> {
  private final StoreBuilder<KeyValueStore<Bytes, byte[]>> inner;
  private final Map<String, String> changelogConfig = new HashMap<>();

  SessionSlotsBuilder(String name) {
    this.inner = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
        Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled();
  }

  @Override
  public SessionSlotsBuilder withCachingEnabled() {
    return this; // the slots are the cache
  }

  @Override
  public SessionSlotsBuilder withCachingDisabled() {
    return this;
  }

  @Override
  public SessionSlotsBuilder withLoggingEnabled(Map<String, String> config) {
    changelogConfig.clear();
    changelogConfig.putAll(config);
    return this;
  }

  @Override
  public SessionSlotsBuilder withLoggingDisabled() {
    // Without a changelog, exactly-once restore and standby replicas are impossible.
    throw new UnsupportedOperationException("the session store always keeps a changelog");
  }

  @Override
  public SessionSlots build() {
    return new SessionSlots(inner.withLoggingEnabled(changelogConfig).build());
  }

  @Override
  public Map<String, String> logConfig() {
    return changelogConfig;
  }

  @Override
  public boolean loggingEnabled() {
    return true;
  }

  @Override
  public String name() {
    return inner.name();
  }
}
