package dev.tcpscope.session.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * segments → session processor (with its persistent, changelogged store) → the anomaly and
 * dead-letter topics. Values are decoded inside the processor, not by source serdes, so an
 * undecodable record becomes a dead letter instead of stopping the application.
 */
public final class SessionTopology {
  private SessionTopology() {}

  public static Topology build(TopologySettings settings) {
    Topology topology = HotspotTopology.build(settings);
    topology.addSource("segments", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        settings.segmentsTopic());
    topology.addProcessor("sessions", () -> new SessionProcessor(settings), "segments");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TopologySettings.STORE),
            Serdes.Bytes(), Serdes.ByteArray()),
        "sessions");
    topology.addSink(SessionProcessor.SUSPICIOUS_SINK, settings.suspiciousTopic(),
        new ByteArraySerializer(), new ByteArraySerializer(), "sessions");
    topology.addSink(SessionProcessor.DEAD_LETTER_SINK, settings.deadLetterTopic(),
        new ByteArraySerializer(), new ByteArraySerializer(), "sessions");
    return topology;
  }
}
