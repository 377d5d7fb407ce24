package dev.tcpscope.session.engine;

import java.util.Locale;

/** How a session came to an end. */
public enum EndedBy {
  CLOSE,
  RST,
  TIMEOUT,
  DUPLICATE_SYN,
  END_OF_CAPTURE;

  /** The lower-case name used on the wire ("end_of_capture"). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
