package dev.tcpscope.cli.command;

import dev.tcpscope.session.engine.RuleSettings;
import picocli.CommandLine.Option;

/** The detection rules' options, with miruo's letters, shared by analyze, local and processor. */
public final class RuleOptions {
  @Option(names = {"-T", "--long-connect"}, paramLabel = "MS", defaultValue = "0",
      description = "Report sessions longer than MS milliseconds (0 = off; default ${DEFAULT-VALUE}).")
  long longConnectMs;

  @Option(names = {"-t", "--long-delay"}, paramLabel = "MS", defaultValue = "0",
      description = "Report a gap longer than MS between two segments (0 = off; default ${DEFAULT-VALUE}).")
  long longDelayMs;

  @Option(names = {"-r", "--retransmit"}, paramLabel = "MS", defaultValue = "1000",
      description = "Report retransmissions at least MS late (0 = ignore; default ${DEFAULT-VALUE}).")
  long retransmitMs;

  @Option(names = {"-S", "--syn"}, paramLabel = "0|1", defaultValue = "1",
      description = "Report SYN and SYN+ACK retransmissions (default ${DEFAULT-VALUE}).")
  int syn;

  @Option(names = {"-R", "--rst"}, paramLabel = "0|1|2", defaultValue = "1",
      description = "RSTs: 0 ignore, 1 report except during close, 2 report all (default ${DEFAULT-VALUE}).")
  int rst;

  @Option(names = {"-F", "--fragment"}, paramLabel = "0|1", defaultValue = "1",
      description = "Report segments in fragmented IP packets (default ${DEFAULT-VALUE}).")
  int fragment;

  @Option(names = "--all", description = "Report every session.")
  boolean all;

  @Option(names = {"-L", "--session-limit"}, paramLabel = "N", defaultValue = "65536",
      description = "Open sessions tracked at most; more are dropped and counted (default ${DEFAULT-VALUE}).")
  int sessionLimit;

  @Option(names = {"-l", "--segment-limit"}, paramLabel = "N", defaultValue = "1048576",
      description = "Segments kept for display at most (default ${DEFAULT-VALUE}).")
  int segmentLimit;

  @Option(names = {"-v", "--view-data"}, paramLabel = "N", defaultValue = "0",
      description = "Show N unflagged segments around each flagged one (default ${DEFAULT-VALUE}).")
  int viewData;

  @Option(names = {"-m", "--dpi-mode"}, paramLabel = "http",
      description = "Show request and status lines: http.")
  String dpiMode;

  /** The validated settings; a bad value fails with a message naming the option. */
  public RuleSettings toSettings() {
    requireFlag("-S/--syn", syn);
    requireFlag("-F/--fragment", fragment);
    if (dpiMode != null && !dpiMode.equals("http")) {
      throw new IllegalArgumentException(
          "-m/--dpi-mode accepts only 'http', not '" + dpiMode + "'");
    }
    return new RuleSettings(longConnectMs, longDelayMs, retransmitMs, syn == 1, rst,
        fragment == 1, all, sessionLimit, segmentLimit, viewData, dpiMode != null);
  }

  private static void requireFlag(String option, int value) {
    if (value != 0 && value != 1) {
      throw new IllegalArgumentException(option + " must be 0 or 1, not " + value);
    }
  }
}
