package dev.tcpscope.session.topology;

import dev.tcpscope.session.engine.Session;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * Read access to the sessions a processor instance holds, for interactive queries: what the
 * store had at the last commit (at most a commit interval old), read from another thread.
 */
public interface OpenSessionStore {
  /**
   * The sessions whose store key starts with {@code keyPrefix} ({@link
   * SessionStoreKey#connectionPrefix}), or all of them for null.
   */
  List<Session> committedSessions(byte[] keyPrefix);

  /** The type Kafka Streams' {@code store()} lookup takes: every local task's store as one. */
  QueryableStoreType<OpenSessionStore> TYPE = new QueryableStoreType<>() {
    @Override
    public boolean accepts(StateStore stateStore) {
      return stateStore instanceof OpenSessionStore;
    }

    @Override
    public OpenSessionStore create(StateStoreProvider provider, String storeName) {
      return keyPrefix -> {
        List<Session> all = new ArrayList<>();
        for (OpenSessionStore task : provider.stores(storeName, TYPE)) {
          all.addAll(task.committedSessions(keyPrefix));
        }
        return all;
      };
    }
  };
}
