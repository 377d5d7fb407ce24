package dev.tcpscope.session.engine;

/** One side's connection state, in the RFC 793 names miruo shows. */
public enum TcpState {
  SYN_SENT,
  SYN_RECV,
  ESTABLISHED,
  FIN_WAIT1,
  FIN_WAIT2,
  CLOSE_WAIT,
  LAST_ACK,
  TIME_WAIT,
  CLOSED;

  private static final TcpState[] VALUES = values();

  static TcpState of(int ordinal) {
    return VALUES[ordinal];
  }

  /** States in which miruo gives up after 30 s of silence instead of 900 s. */
  boolean isTransient() {
    return switch (this) {
      case SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK -> true;
      default -> false;
    };
  }
}
