package dev.tcpscope.cli.conformance;

/** Time of day (UTC) with milliseconds, as miruo prints it: HH:MM:SS.mmm, truncated. */
final class Tod {
  private Tod() {}

  static String of(long us) {
    long ms = Math.floorMod(Math.floorDiv(us, 1000), 86_400_000L);
    return String.format("%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
        ms % 1000);
  }

  /** Milliseconds since midnight of "HH:MM:SS.mmm". */
  static long parseMs(String text) {
    String[] hms = text.split(":");
    double seconds = Double.parseDouble(hms[2]);
    return (Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60) * 1000
        + Math.round(seconds * 1000);
  }

  /** Whether a capture time falls on that printed time of day (±1 ms for rounding). */
  static boolean matches(long us, String text) {
    long ms = Math.floorMod(Math.floorDiv(us, 1000), 86_400_000L);
    long diff = Math.abs(ms - parseMs(text));
    return Math.min(diff, 86_400_000L - diff) <= 1;
  }
}
