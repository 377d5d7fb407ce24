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
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/tcpscope}: every subcommand of the tool. */
@Command(name = "tcpscope", mixinStandardHelpOptions = true, version = "tcpscope 0.1.0",
    description = "Shows the TCP sessions that went wrong, for one host or a fleet.")
public final class Tcpscope {
  /** Every subcommand, in the order {@code --help} lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(DemoCommand.class,
      LocalCommand.class, AnalyzeCommand.class, DecodeCommand.class, AgentCommand.class,
      ProcessorCommand.class, WatchCommand.class, SessionsCommand.class, AgentsCommand.class,
      WebCommand.class, ClusterCommand.class, BenchCommand.class);

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }

  /**
   * The command line for {@code args}, with tcpscope's error handling: bad values print what is
   * wrong. When the first argument names a subcommand, only that one is registered: picocli
   * builds each command's model by reflection when it is registered, about 0.15 s for all of
   * them, which every short {@code analyze} would pay. Otherwise (no arguments, {@code --help},
   * a misspelt name) every subcommand is, so help and suggestions list them all.
   */
  public static CommandLine commandLine(String... args) {
    List<Class<?>> subcommands = SUBCOMMANDS;
    if (args.length > 0) {
      for (Class<?> command : SUBCOMMANDS) {
        if (command.getAnnotation(Command.class).name().equals(args[0])) {
          subcommands = List.of(command);
        }
      }
    }
    CommandLine cli = new CommandLine(new Tcpscope());
    subcommands.forEach(cli::addSubcommand);
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
