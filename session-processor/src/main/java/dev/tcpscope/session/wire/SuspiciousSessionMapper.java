package dev.tcpscope.session.wire;

import dev.tcpscope.schemas.v1.ShownSegment;
import dev.tcpscope.schemas.v1.SuspiciousSession;
import dev.tcpscope.session.engine.Mark;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.ShownLine;
import dev.tcpscope.session.engine.ZeekConnection;
import java.util.ArrayList;
import java.util.List;

/** A report to and from its Avro record on the anomaly topic, field for field. */
public final class SuspiciousSessionMapper {
  private SuspiciousSessionMapper() {}

  public static SuspiciousSession toAvro(SessionReport r) {
    List<ShownSegment> shown = new ArrayList<>(r.shown().size());
    for (ShownLine l : r.shown()) {
      shown.add(ShownSegment.newBuilder()
          .setIndex(l.index())
          .setTsUs(l.tsUs())
          .setDirection(l.fromClient() ? "client_to_server" : "server_to_client")
          .setFlags(l.flags())
          .setSeq(l.seq())
          .setAck(l.ack())
          .setLength(l.length())
          .setPayloadLength(l.payloadLength())
          .setFragment(l.fragment())
          .setOptions(l.options())
          .setClientState(l.clientState())
          .setServerState(l.serverState())
          .setMark(l.mark().wireName())
          .setHttp(l.http())
          .build());
    }
    return SuspiciousSession.newBuilder()
        .setSource(r.source())
        .setObserver(r.observer())
        .setSessionId(r.sessionId())
        .setClientIp(r.clientIp())
        .setClientPort(r.clientPort())
        .setServerIp(r.serverIp())
        .setServerPort(r.serverPort())
        .setStartUs(r.startUs())
        .setEndUs(r.endUs())
        .setDurationMs(r.durationMs())
        .setSegments(r.segments())
        .setBytes(r.bytes())
        .setClientSegments(r.clientSegments())
        .setClientBytes(r.clientBytes())
        .setServerSegments(r.serverSegments())
        .setServerBytes(r.serverBytes())
        .setReasons(new ArrayList<>(r.reasons()))
        .setEndedBy(r.endedBy())
        .setClientState(r.clientState())
        .setServerState(r.serverState())
        .setConnState(r.connState())
        .setHistory(r.history())
        .setPartial(r.partial())
        .setLowConfidence(r.lowConfidence())
        .setHandshakeRttUs(r.handshakeRttUs())
        .setShown(shown)
        .setZeekConnections(zeekConnections(r.zeekConnections()))
        .build();
  }

  public static SessionReport fromAvro(SuspiciousSession a) {
    List<ShownLine> shown = new ArrayList<>(a.getShown().size());
    for (ShownSegment s : a.getShown()) {
      shown.add(new ShownLine(s.getIndex(), s.getTsUs(),
          "client_to_server".equals(s.getDirection()), s.getFlags(), s.getSeq(), s.getAck(),
          s.getLength(), s.getPayloadLength(), s.getFragment(), s.getOptions(),
          s.getClientState(), s.getServerState(), Mark.fromWireName(s.getMark()),
          s.getHttp()));
    }
    return new SessionReport(a.getSource(), a.getObserver(), a.getSessionId(), a.getClientIp(),
        a.getClientPort(), a.getServerIp(), a.getServerPort(), a.getStartUs(), a.getEndUs(),
        a.getSegments(), a.getBytes(), a.getClientSegments(), a.getClientBytes(),
        a.getServerSegments(), a.getServerBytes(), List.copyOf(a.getReasons()),
        a.getClientState(), a.getServerState(), a.getConnState(), a.getHistory(), fromAvro(a.getZeekConnections()), a.getPartial(),
        a.getEndedBy(), a.getHandshakeRttUs(), List.copyOf(shown), a.getLowConfidence());
  }

  private static List<dev.tcpscope.schemas.v1.ZeekConnection> zeekConnections(
      List<ZeekConnection> connections) {
    List<dev.tcpscope.schemas.v1.ZeekConnection> out = new ArrayList<>(connections.size());
    for (ZeekConnection c : connections) {
      out.add(new dev.tcpscope.schemas.v1.ZeekConnection(c.startUs(),
          c.origIsClient() ? "client" : "server", c.connState(), c.history()));
    }
    return out;
  }

  private static List<ZeekConnection> fromAvro(List<dev.tcpscope.schemas.v1.ZeekConnection> in) {
    List<ZeekConnection> out = new ArrayList<>(in.size());
    for (dev.tcpscope.schemas.v1.ZeekConnection c : in) {
      out.add(new ZeekConnection(c.getStartUs(), "client".equals(c.getOrig()), c.getConnState(),
          c.getHistory()));
    }
    return List.copyOf(out);
  }
}
