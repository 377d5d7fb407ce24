package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Window;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Hotspots: the anomaly topic counted per server endpoint and reason over hopping windows of
 * capture time (a session's end, read from the value: {@link SessionEndTimestamps}), republished to {@code
 * tcpscope.hotspots} whenever a window's count grows. It reads the anomaly topic rather than
 * the session processor's output stream, so it counts whatever reaches that topic and needs
 * nothing from the session processor but its topic name. Undecodable records are skipped
 * here: the session path already sends bad input to the dead-letter topic.
 */
public final class HotspotTopology {
  /** Observers listed per hotspot; the session count stays exact past it. */
  static final int MAX_OBSERVERS = 16;

  private HotspotTopology() {}

  /** The hotspot sub-topology with the default windows, reading the topology's anomaly topic. */
  public static Topology build(TopologySettings settings) {
    return build(settings.suspiciousTopic(), HotspotSettings.defaults());
  }

  /**
   * A topology holding only the hotspot aggregation; the session topology adds its own nodes
   * to it (the DSL builds a {@link Topology} that the Processor API can extend).
   */
  public static Topology build(String suspiciousTopic, HotspotSettings settings) {
    SingleObjectSerde<Hotspot> hotspots = TcpscopeSerdes.hotspot();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(suspiciousTopic,
            Consumed.with(Serdes.ByteArray(), decodedOnce()).withName("hotspots-source")
                .withTimestampExtractor(new SessionEndTimestamps()))
        .flatMap((connection, value) -> perReason(value), Named.as("hotspots-per-reason"))
        .groupByKey(Grouped.with("hotspots-by-endpoint", Serdes.String(), hotspots))
        .windowedBy(TimeWindows.ofSizeAndGrace(settings.size(), settings.grace())
            .advanceBy(settings.advance()))
        .aggregate(HotspotTopology::empty, (key, one, total) -> add(total, one),
            Named.as("hotspots-count"),
            Materialized.<String, Hotspot, WindowStore<Bytes, byte[]>>as(HotspotSettings.STORE)
                // its changelog deletes by time too: from arrival, as the topics do, or the
                // windows of a replayed old capture would be gone from it within minutes
                .withLoggingEnabled(Map.of("message.timestamp.type", "LogAppendTime"))
                .withKeySerde(Serdes.String())
                .withValueSerde(hotspots))
        .toStream(Named.as("hotspots-updates"))
        .map((window, total) -> KeyValue.pair(window.key(), inWindow(total, window.window())),
            Named.as("hotspots-windowed"))
        .to(settings.hotspotsTopic(), Produced.with(Serdes.String(), hotspots)
            .withName("hotspots-sink"));
    return builder.build();
  }

  /** The key of a hotspot: the server endpoint, then the reason. */
  public static String key(String serverIp, int serverPort, String reason) {
    String endpoint = serverIp.indexOf(':') >= 0
        ? "[" + serverIp + "]:" + serverPort : serverIp + ":" + serverPort;
    return endpoint + " " + reason;
  }

  /**
   * The anomaly topic's values, decoded once by the source: the timestamp extractor and the
   * count both read the object (each decoded the bytes itself before). An undecodable record
   * becomes null, which both skip; a deserialization error would stop the application instead.
   */
  private static Serde<SuspiciousSession> decodedOnce() {
    SingleObjectSerde<SuspiciousSession> sessions = TcpscopeSerdes.suspiciousSession();
    return Serdes.serdeFrom(sessions.serializer(), (topic, data) -> {
      try {
        return data == null ? null : sessions.decode(data);
      } catch (SerializationException e) {
        return null;
      }
    });
  }

  /** One count of one session for each of its reasons; nothing for an undecodable record. */
  private static List<KeyValue<String, Hotspot>> perReason(SuspiciousSession s) {
    if (s == null) {
      return List.of();
    }
    List<KeyValue<String, Hotspot>> out = new ArrayList<>(s.getReasons().size());
    for (String reason : new TreeSet<>(s.getReasons())) {
      out.add(KeyValue.pair(key(s.getServerIp(), s.getServerPort(), reason), Hotspot.newBuilder()
          .setServerIp(s.getServerIp())
          .setServerPort(s.getServerPort())
          .setReason(reason)
          .setWindowStartMs(0)
          .setWindowEndMs(0)
          .setSessions(1)
          .setFirstEndUs(s.getEndUs())
          .setLastEndUs(s.getEndUs())
          .setObservers(List.of(s.getObserver()))
          .build()));
    }
    return out;
  }

  private static Hotspot empty() {
    return Hotspot.newBuilder().setServerIp("").setServerPort(0).setReason("")
        .setWindowStartMs(0).setWindowEndMs(0).setSessions(0)
        .setFirstEndUs(Long.MAX_VALUE).setLastEndUs(Long.MIN_VALUE)
        .setObservers(List.of()).build();
  }

  private static Hotspot add(Hotspot total, Hotspot one) {
    TreeSet<String> observers = new TreeSet<>(total.getObservers());
    for (String observer : one.getObservers()) {
      if (observers.size() >= MAX_OBSERVERS) {
        break;
      }
      observers.add(observer);
    }
    return Hotspot.newBuilder()
        .setServerIp(one.getServerIp())
        .setServerPort(one.getServerPort())
        .setReason(one.getReason())
        .setWindowStartMs(0)
        .setWindowEndMs(0)
        .setSessions(total.getSessions() + one.getSessions())
        .setFirstEndUs(Math.min(total.getFirstEndUs(), one.getFirstEndUs()))
        .setLastEndUs(Math.max(total.getLastEndUs(), one.getLastEndUs()))
        .setObservers(new ArrayList<>(observers))
        .build();
  }

  private static Hotspot inWindow(Hotspot total, Window window) {
    return Hotspot.newBuilder(total)
        .setWindowStartMs(window.start())
        .setWindowEndMs(window.end())
        .build();
  }
}
