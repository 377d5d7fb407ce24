package dev.tcpscope.session.engine;

/** Zeek's TCP endpoint states (TCP_INACTIVE ... TCP_RESET), from which conn_state is derived. */
enum ZeekEndpoint {
  INACTIVE,
  SYN_SENT,
  SYN_ACK_SENT,
  PARTIAL,
  ESTABLISHED,
  CLOSED,
  RESET;

  private static final ZeekEndpoint[] VALUES = values();

  static ZeekEndpoint of(int ordinal) {
    return VALUES[ordinal];
  }

  boolean inactive() {
    return this == INACTIVE || this == PARTIAL;
  }
}
