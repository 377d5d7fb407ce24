package dev.tcpscope.schemas.serde;

import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.ConnectionKey;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.schemas.v1.TcpSegment;

/** The serdes of every record type on tcpscope's topics. */
public final class TcpscopeSerdes {
  private TcpscopeSerdes() {}

  public static SingleObjectSerde<ConnectionKey> connectionKey() {
    return new SingleObjectSerde<>(ConnectionKey.class, ConnectionKey.getClassSchema());
  }

  public static SingleObjectSerde<TcpSegment> tcpSegment() {
    return new SingleObjectSerde<>(TcpSegment.class, TcpSegment.getClassSchema());
  }

  public static SingleObjectSerde<AgentHeartbeat> agentHeartbeat() {
    return new SingleObjectSerde<>(AgentHeartbeat.class, AgentHeartbeat.getClassSchema());
  }

  public static SingleObjectSerde<SuspiciousSession> suspiciousSession() {
    return new SingleObjectSerde<>(SuspiciousSession.class, SuspiciousSession.getClassSchema());
  }

  public static SingleObjectSerde<Hotspot> hotspot() {
    return new SingleObjectSerde<>(Hotspot.class, Hotspot.getClassSchema());
  }
}
