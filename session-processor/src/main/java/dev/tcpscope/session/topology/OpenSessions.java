package dev.tcpscope.session.topology;

import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionEngine;
import dev.tcpscope.session.engine.SessionReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Interactive queries of the session store: the sessions this instance holds, and which
 * instances hold the others (by their {@code application.server}), so one HTTP request to any
 * instance can list every open session of the application.
 */
public final class OpenSessions {
  private final KafkaStreams streams;

  public OpenSessions(KafkaStreams streams) {
    this.streams = streams;
  }

  /**
   * Sessions held by this instance's active tasks (as of their last commit), for one
   * connection (its Kafka key bytes) or, with null, all of them; open ones first, oldest first.
   */
  public List<SessionReport> local(byte[] connectionKey) {
    OpenSessionStore store = streams.store(StoreQueryParameters
        .fromNameAndType(TopologySettings.STORE, OpenSessionStore.TYPE));
    List<Session> sessions = store.committedSessions(
        connectionKey == null ? null : SessionStoreKey.connectionPrefix(connectionKey));
    List<SessionReport> reports = new ArrayList<>(sessions.size());
    for (Session s : sessions) {
      reports.add(SessionEngine.snapshot(s));
    }
    reports.sort(Comparator.comparing((SessionReport r) -> !"open".equals(r.endedBy()))
        .thenComparingLong(SessionReport::startUs));
    return reports;
  }

  /** Every instance holding a part of the session store. */
  public List<HostInfo> instances() {
    List<HostInfo> hosts = new ArrayList<>();
    for (StreamsMetadata m : streams.streamsMetadataForStore(TopologySettings.STORE)) {
      hosts.add(m.hostInfo());
    }
    return hosts;
  }

  /** The instance whose active task holds this connection (its Kafka key bytes). */
  public HostInfo holderOf(byte[] connectionKey) {
    KeyQueryMetadata m = streams.queryMetadataForKey(TopologySettings.STORE, connectionKey,
        Serdes.ByteArray().serializer());
    return m.activeHost();
  }
}
