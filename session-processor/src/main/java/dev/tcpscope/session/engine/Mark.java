package dev.tcpscope.session.engine;

import java.util.Locale;

/** Why a shown segment is highlighted; the colours are miruo's. */
public enum Mark {
  /** Shown for context or as a state change, no colour. */
  NONE,
  /** The SYN and the segments that complete the handshake (yellow). */
  HANDSHAKE,
  /** A segment that closed a side (blue). */
  CLOSED,
  /** The suspicious segment itself: RST, retransmission, fragment, long delay (red). */
  FLAGGED,
  /** A segment that fits no state transition (red). */
  UNEXPECTED,
  /** The first copy of a retransmitted segment (green). */
  ORIGINAL;

  private static final Mark[] VALUES = values();

  static Mark of(int ordinal) {
    return VALUES[ordinal];
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Mark fromWireName(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return NONE; // a mark added by a newer producer: show it plain
    }
  }
}
