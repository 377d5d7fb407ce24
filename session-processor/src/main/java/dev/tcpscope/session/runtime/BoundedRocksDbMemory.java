package dev.tcpscope.session.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in the process as a whole: one block
 * cache shared by all of them, with their memtables charged to it through one write-buffer
 * manager, and index and filter blocks kept in the cache too (uncounted, they are what grows
 * without bound as stores fill). Unbounded RocksDB memory is the usual reason a Streams
 * application is killed; this is the recipe of Kafka Streams' memory-management guide.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  /** Total bytes for block cache and memtables of all stores (a Streams config entry). */
  public static final String TOTAL_BYTES_CONFIG = "tcpscope.rocksdb.memory.bytes";

  /** Memtables get this share of the total; reads get the rest. */
  static final double WRITE_BUFFER_SHARE = 0.25;

  /** One cache and manager per configured size: one per process in practice. */
  private static final Map<Long, Shared> SHARED = new ConcurrentHashMap<>();

  record Shared(Cache cache, WriteBufferManager writeBuffers) {}

  static Shared shared(long totalBytes) {
    return SHARED.computeIfAbsent(totalBytes, total -> {
      Cache cache = new LRUCache(total, -1, false, 0.1);
      return new Shared(cache, new WriteBufferManager((long) (total * WRITE_BUFFER_SHARE), cache));
    });
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object configured = configs.get(TOTAL_BYTES_CONFIG);
    if (configured == null) {
      return; // no budget given: RocksDB's defaults, as Kafka Streams has them
    }
    long total = Long.parseLong(configured.toString());
    Shared shared = shared(total);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(shared.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(shared.writeBuffers());
    // Small memtables, few of them: the manager flushes when the shared budget is reached.
    options.setWriteBufferSize(Math.max(1L << 20, (long) (total * WRITE_BUFFER_SHARE) / 4));
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the manager are shared by every store: never closed with one of them.
  }
}
