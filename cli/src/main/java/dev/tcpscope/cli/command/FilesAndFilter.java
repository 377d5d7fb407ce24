package dev.tcpscope.cli.command;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Splits a command's positional words into capture files and the BPF expression that follows
 * {@code --} (as in {@code analyze FILE... -- tcp port 80}).
 */
record FilesAndFilter(List<String> files, String bpf) {

  static FilesAndFilter of(CommandSpec spec, List<String> positionals) {
    List<String> all = positionals == null ? List.of() : positionals;
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dash = original.indexOf("--");
    int after = dash < 0 ? 0 : original.size() - dash - 1;
    if (after > all.size()) {
      after = all.size();
    }
    List<String> files = all.subList(0, all.size() - after);
    String bpf = after == 0 ? null : String.join(" ", all.subList(all.size() - after, all.size()));
    if (files.isEmpty()) {
      throw new IllegalArgumentException("give at least one capture file (or '-' for standard input)");
    }
    return new FilesAndFilter(List.copyOf(files), bpf);
  }
}
