package dev.tcpscope.cli;

import dev.tcpscope.cli.bench.BenchCommand;
import dev.tcpscope.cli.command.AgentCommand;
import dev.tcpscope.cli.command.AgentsCommand;
import dev.tcpscope.cli.command.AnalyzeCommand;
import dev.tcpscope.cli.command.ClusterCommand;
import dev.tcpscope.cli.command.DecodeCommand;
import dev.tcpscope.cli.command.DemoCommand;
import dev.tcpscope.cli.command.LocalCommand;
import dev.tcpscope.cli.command.ProcessorCommand;
import dev.tcpscope.cli.command.SessionsCommand;
import dev.tcpscope.cli.command.WatchCommand;
import dev.tcpscope.cli.command.WebCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/tcpscope}: every subcommand of the tool. */
@Command(name = "tcpscope", mixinStandardHelpOptions = true, version = "tcpscope 0.1.0",
    description = "Shows the TCP sessions that went wrong, for one host or a fleet.",
    subcommands = {DemoCommand.class, LocalCommand.class, AnalyzeCommand.class,
        DecodeCommand.class, AgentCommand.class, ProcessorCommand.class, WatchCommand.class,
        SessionsCommand.class, AgentsCommand.class, WebCommand.class, ClusterCommand.class,
        BenchCommand.class})
public final class Tcpscope {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with tcpscope's error handling: bad values print what is wrong. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Tcpscope());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof IllegalArgumentException) {
        commandLine.getErr().println("tcpscope: " + e.getMessage());
        commandLine.getErr().println("Try '" + commandLine.getCommandSpec().qualifiedName()
            + " --help' for the accepted values.");
        return 1;
      }
      if (e instanceof java.io.IOException || e instanceof IllegalStateException) {
        // Files, interfaces, filters and brokers: the message says what is wrong and what to do.
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
          if (c.getMessage() != null && !message.toString().contains(c.getMessage())) {
            message.append(": ").append(c.getMessage());
          }
        }
        commandLine.getErr().println("tcpscope " + commandLine.getCommandName() + ": " + message);
        return 2;
      }
      throw e;
    });
    return cli;
  }
}
