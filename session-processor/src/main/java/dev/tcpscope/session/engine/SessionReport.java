package dev.tcpscope.session.engine;

import java.util.List;

/**
 * A session as reported: what the text and JSON-lines views print and what the processor
 * publishes as a SuspiciousSession. Reasons are names, so a report read back from a topic
 * written by a newer version keeps reasons this version does not know. {@code connState} and
 * {@code history} are those of the connection Zeek logs at the session's start;
 * {@code zeekConnections} lists every connection Zeek would log for the session when that is
 * more than one (otherwise it is empty).
 */
public record SessionReport(
    String source,
    String observer,
    long sessionId,
    String clientIp,
    int clientPort,
    String serverIp,
    int serverPort,
    long startUs,
    long endUs,
    long segments,
    long bytes,
    long clientSegments,
    long clientBytes,
    long serverSegments,
    long serverBytes,
    List<String> reasons,
    String clientState,
    String serverState,
    String connState,
    String history,
    List<ZeekConnection> zeekConnections,
    boolean partial,
    String endedBy,
    Long handshakeRttUs,
    List<ShownLine> shown) {

  public double durationMs() {
    return (endUs - startUs) / 1000.0;
  }
}
