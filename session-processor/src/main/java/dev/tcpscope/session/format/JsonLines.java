package dev.tcpscope.session.format;

import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.ShownLine;
import dev.tcpscope.session.engine.ZeekConnection;

/**
 * A reported session as one JSON object on one line, with the field names of the
 * architecture's JSON-lines contract. Written by hand: the format is small and fixed, and
 * this keeps the processor's classpath free of a JSON library.
 */
public final class JsonLines {
  private JsonLines() {}

  public static String format(SessionReport r) {
    StringBuilder j = new StringBuilder(512 + r.shown().size() * 200);
    j.append('{');
    string(j, "source", r.source()).append(',');
    string(j, "observer", r.observer()).append(',');
    number(j, "session_id", r.sessionId()).append(',');
    string(j, "client_ip", r.clientIp()).append(',');
    number(j, "client_port", r.clientPort()).append(',');
    string(j, "server_ip", r.serverIp()).append(',');
    number(j, "server_port", r.serverPort()).append(',');
    number(j, "start_us", r.startUs()).append(',');
    number(j, "end_us", r.endUs()).append(',');
    key(j, "duration_ms").append(r.durationMs()).append(',');
    number(j, "segments", r.segments()).append(',');
    number(j, "bytes", r.bytes()).append(',');
    number(j, "client_segments", r.clientSegments()).append(',');
    number(j, "client_bytes", r.clientBytes()).append(',');
    number(j, "server_segments", r.serverSegments()).append(',');
    number(j, "server_bytes", r.serverBytes()).append(',');
    key(j, "reasons").append('[');
    for (int i = 0; i < r.reasons().size(); i++) {
      if (i > 0) {
        j.append(',');
      }
      quoted(j, r.reasons().get(i));
    }
    j.append("],");
    string(j, "client_state", r.clientState()).append(',');
    string(j, "server_state", r.serverState()).append(',');
    string(j, "conn_state", r.connState()).append(',');
    string(j, "history", r.history()).append(',');
    key(j, "partial").append(r.partial()).append(',');
    key(j, "low_confidence").append(r.lowConfidence()).append(',');
    string(j, "ended_by", r.endedBy()).append(',');
    key(j, "handshake_rtt_us").append(r.handshakeRttUs() == null ? "null" : r.handshakeRttUs().toString()).append(',');
    key(j, "shown").append('[');
    for (int i = 0; i < r.shown().size(); i++) {
      ShownLine s = r.shown().get(i);
      if (i > 0) {
        j.append(',');
      }
      j.append('{');
      number(j, "index", s.index()).append(',');
      number(j, "ts_us", s.tsUs()).append(',');
      string(j, "direction", s.fromClient() ? "client_to_server" : "server_to_client").append(',');
      string(j, "flags", s.flagText()).append(',');
      number(j, "seq", s.seq()).append(',');
      number(j, "ack", s.ack()).append(',');
      number(j, "length", s.length()).append(',');
      number(j, "payload_length", s.payloadLength()).append(',');
      key(j, "fragment").append(s.fragment()).append(',');
      string(j, "options", s.options()).append(',');
      string(j, "client_state", s.clientState()).append(',');
      string(j, "server_state", s.serverState()).append(',');
      string(j, "mark", s.mark().wireName()).append(',');
      key(j, "http");
      if (s.http() == null) {
        j.append("null");
      } else {
        quoted(j, s.http());
      }
      j.append('}');
    }
    j.append(']');
    if (!r.zeekConnections().isEmpty()) {
      j.append(",\"zeek_connections\":[");
      for (int i = 0; i < r.zeekConnections().size(); i++) {
        ZeekConnection c = r.zeekConnections().get(i);
        if (i > 0) {
          j.append(',');
        }
        j.append('{');
        number(j, "start_us", c.startUs()).append(',');
        string(j, "orig", c.origIsClient() ? "client" : "server").append(',');
        string(j, "conn_state", c.connState()).append(',');
        string(j, "history", c.history());
        j.append('}');
      }
      j.append(']');
    }
    j.append('}');
    return j.toString();
  }

  private static StringBuilder key(StringBuilder j, String name) {
    return j.append('"').append(name).append("\":");
  }

  private static StringBuilder number(StringBuilder j, String name, long value) {
    return key(j, name).append(value);
  }

  private static StringBuilder string(StringBuilder j, String name, String value) {
    return quoted(key(j, name), value);
  }

  static StringBuilder quoted(StringBuilder j, String value) {
    j.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> j.append("\\\"");
        case '\\' -> j.append("\\\\");
        case '\n' -> j.append("\\n");
        case '\r' -> j.append("\\r");
        case '\t' -> j.append("\\t");
        default -> {
          if (c < 0x20) {
            j.append(String.format("\\u%04x", (int) c));
          } else {
            j.append(c);
          }
        }
      }
    }
    return j.append('"');
  }
}
