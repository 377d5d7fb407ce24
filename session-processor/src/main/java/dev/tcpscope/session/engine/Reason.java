package dev.tcpscope.session.engine;

/**
 * Why a session is reported. The names are a public contract (architecture.md): new reasons
 * get new names, existing names never change meaning.
 */
public enum Reason {
  /** Broken by a RST (miruo -R 1 and 2). */
  RST,
  /** A RST while both sides were already closing (reported only with -R 2). */
  RST_AFTER_FIN,
  /** A segment resent at least -r ms after the original. */
  RETRANSMIT,
  /** A SYN or SYN+ACK resent (-S 1). */
  SYN_RETRANSMIT,
  /** A segment carried in a fragmented IP packet (-F 1). */
  FRAGMENT,
  /** First to last segment longer than -T ms. */
  LONG_CONNECT,
  /** Two consecutive segments more than -t ms apart. */
  LONG_DELAY,
  /** Idle beyond the timeout (30 s half-open or closing, 900 s otherwise). */
  TIMEOUT,
  /** A new SYN with another initial sequence number while the session was open. */
  DUPLICATE_SYN;

  private static final Reason[] VALUES = values();

  static Reason of(int ordinal) {
    return VALUES[ordinal];
  }

  int bit() {
    return 1 << ordinal();
  }
}
