package dev.tcpscope.session.engine;

/** Zeek's TCP endpoint states (TCP_ENDPOINT_INACTIVE ... TCP_ENDPOINT_RESET). */
enum EndpointState {
  INACTIVE,
  SYN_SENT,
  SYN_ACK_SENT,
  PARTIAL,
  ESTABLISHED,
  CLOSED,
  RESET;

  private static final EndpointState[] VALUES = values();

  static EndpointState of(int ordinal) {
    return VALUES[ordinal];
  }

  /** Never sent anything, or only midstream traffic: "inactive" for conn_state. */
  boolean inactive() {
    return this == INACTIVE || this == PARTIAL;
  }

  /** Still in the handshake: Zeek's shorter inactivity timeout applies while both are. */
  boolean handshake() {
    return this == INACTIVE || this == SYN_SENT || this == SYN_ACK_SENT;
  }
}
