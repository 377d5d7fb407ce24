package dev.tcpscope.session.engine;

/**
 * One of the connections Zeek's conn.log would hold for a session, when Zeek would have ended
 * its connection and begun another while the session went on (a connection attempt abandoned
 * after 5 s, a SYN taken for reuse, a connection removed 5 s after its close, an inactivity
 * timeout).
 *
 * @param startUs capture time of the connection's first packet (conn.log's ts)
 * @param origIsClient whether Zeek's originator is the session's client
 * @param connState Zeek's conn_state
 * @param history Zeek's history, upper case for Zeek's originator
 */
public record ZeekConnection(long startUs, boolean origIsClient, String connState,
    String history) {}
