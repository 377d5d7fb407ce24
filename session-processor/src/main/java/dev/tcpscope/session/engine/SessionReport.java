package dev.tcpscope.session.engine;

import java.util.List;

/**
 * A session as reported: what the text and JSON-lines views print and what the processor
 * publishes as a SuspiciousSession. Reasons are names, so a report read back from a topic
 * written by a newer version keeps reasons this version does not know. {@code connState} and
 * {@code history} are those of the connection Zeek logs at the session's start;
 * {@code zeekConnections} lists every connection Zeek would log for the session when that is
 * more than one (otherwise it is empty). {@code lowConfidence}: a verdict about loss was made
 * while the observer's capture was dropping packets (set by the processor from heartbeats).
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
    List<ShownLine> shown,
    boolean lowConfidence) {

  /** A report whose verdicts nothing casts doubt on (the engine's own view). */
  public SessionReport(String source, String observer, long sessionId, String clientIp,
      int clientPort, String serverIp, int serverPort, long startUs, long endUs, long segments,
      long bytes, long clientSegments, long clientBytes, long serverSegments, long serverBytes,
      List<String> reasons, String clientState, String serverState, String connState,
      String history, List<ZeekConnection> zeekConnections, boolean partial, String endedBy,
      Long handshakeRttUs, List<ShownLine> shown) {
    this(source, observer, sessionId, clientIp, clientPort, serverIp, serverPort, startUs, endUs,
        segments, bytes, clientSegments, clientBytes, serverSegments, serverBytes, reasons,
        clientState, serverState, connState, history, zeekConnections, partial, endedBy,
        handshakeRttUs, shown, false);
  }

  /**
   * The same report marked low-confidence: the observer's capture was dropping packets while
   * a verdict about loss was made.
   */
  public SessionReport withLowConfidence() {
    return new SessionReport(source, observer, sessionId, clientIp, clientPort, serverIp,
        serverPort, startUs, endUs, segments, bytes, clientSegments, clientBytes, serverSegments,
        serverBytes, reasons, clientState, serverState, connState, history, zeekConnections,
        partial, endedBy, handshakeRttUs, shown, true);
  }

  /** The same report without its kept segments: the conn.log-like form of every session. */
  public SessionReport withoutShown() {
    return new SessionReport(source, observer, sessionId, clientIp, clientPort, serverIp,
        serverPort, startUs, endUs, segments, bytes, clientSegments, clientBytes, serverSegments,
        serverBytes, reasons, clientState, serverState, connState, history, zeekConnections,
        partial, endedBy, handshakeRttUs, List.of(), lowConfidence);
  }

  public double durationMs() {
    return (endUs - startUs) / 1000.0;
  }
}
