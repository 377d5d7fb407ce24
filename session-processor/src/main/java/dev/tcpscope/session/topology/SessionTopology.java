package dev.tcpscope.session.topology;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;

/**
 * segments → session processor (sessions hot in memory, their record in a persistent,
 * changelogged store) → the anomaly topic, the dead-letter topic and, when asked for, the topic
 * of every ended session; beside it, the hotspot aggregation of the anomaly topic. Values are decoded inside the processor, not by source serdes, so an
 * undecodable record becomes a dead letter instead of stopping the application.
 */
public final class SessionTopology {
  private SessionTopology() {}

  public static Topology build(TopologySettings settings) {
    Topology topology = HotspotTopology.build(settings);
    topology.addSource("segments", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        settings.segmentsTopic());
    topology.addProcessor("sessions", () -> new SessionProcessor(settings), "segments");
    topology.addStateStore(new SessionSlotsBuilder(TopologySettings.STORE), "sessions");
    topology.addSink(SessionProcessor.SUSPICIOUS_SINK, settings.suspiciousTopic(),
        new ByteArraySerializer(), new ByteArraySerializer(), "sessions");
    topology.addSink(SessionProcessor.DEAD_LETTER_SINK, settings.deadLetterTopic(),
        new ByteArraySerializer(), new ByteArraySerializer(), "sessions");
    if (settings.sessionsTopic() != null) {
      topology.addSink(SessionProcessor.SESSIONS_SINK, settings.sessionsTopic(),
          new ByteArraySerializer(), new ByteArraySerializer(), "sessions");
    }
    return topology;
  }
}
