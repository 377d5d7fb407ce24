package dev.tcpscope.session.runtime;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * The processor's RocksDB settings for every store (Kafka Streams takes one setter class):
 * memory bounded as a whole ({@link BoundedRocksDbMemory}) and a full disk that fails the
 * store's writes instead of stalling them ({@link NoAutoRecovery}).
 */
public final class StateStoreOptions implements RocksDBConfigSetter {
  private final BoundedRocksDbMemory memory = new BoundedRocksDbMemory();

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    memory.setConfig(storeName, options, configs);
    options.setListeners(List.of(NoAutoRecovery.instance()));
  }

  @Override
  public void close(String storeName, Options options) {
    memory.close(storeName, options);
  }
}
