package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line registers only the subcommand it runs, and every one when it must list them. */
class TcpscopeCommandLineTest {
  private static final List<String> ALL = List.of("demo", "local", "analyze", "decode", "agent",
      "processor", "watch", "sessions", "agents", "web", "cluster", "bench");

  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertThat(Tcpscope.commandLine("analyze", "--format", "jsonl", "x.pcap").getSubcommands())
        .containsOnlyKeys("analyze");
    assertThat(Tcpscope.commandLine("bench", "engine").getSubcommands())
        .containsOnlyKeys("bench");
  }

  @Test
  void withoutOneEverySubcommandIsThereInHelpOrder() {
    assertThat(Tcpscope.commandLine().getSubcommands().keySet()).containsExactlyElementsOf(ALL);
    assertThat(Tcpscope.commandLine("--help").getSubcommands().keySet())
        .containsExactlyElementsOf(ALL);
  }

  @Test
  void helpListsEverySubcommandAndAMisspeltOneGetsASuggestion() {
    CommandRun help = CommandRun.of("--help");
    assertThat(help.exitCode()).isZero();
    ALL.forEach(name -> assertThat(help.out()).containsPattern("(?m)^\\s+" + name + "\\s"));

    CommandRun misspelt = CommandRun.of("analyse", "x.pcap");
    assertThat(misspelt.exitCode()).isEqualTo(2);
    assertThat(misspelt.err()).contains("analyse", "analyze");
  }

  @Test
  void aSubcommandBuiltAloneParsesAsBefore() {
    CommandRun run = CommandRun.of("analyze", "--format", "xml", "x.pcap");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--format", "text", "jsonl", "Usage: tcpscope analyze");
  }
}
