package dev.tcpscope.cli.command;

import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.format.JsonLines;
import dev.tcpscope.session.format.MiruoText;
import java.time.ZoneId;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** How reported sessions are printed: miruo's text layout or JSON lines. */
public final class OutputOptions {
  /** The output formats; picocli lists them in the error for a wrong value. */
  public enum Format {
    text,
    jsonl
  }

  @Option(names = "--format", paramLabel = "text|jsonl", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = {"-C", "--color"}, paramLabel = "0|1",
      description = "Colour: 1 on, 0 off (default: on when writing to a terminal).")
  Integer colour;

  @Option(names = {"-q", "--quiet"},
      description = "The narrower text layout, without ids, sizes and options.")
  boolean quiet;

  /**
   * Whether standard output is a terminal: a console exists only when both standard input and
   * output are one (JDK 17); from JDK 22 on a console always exists and says so itself.
   */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before JDK 22 a console is a terminal
    }
  }

  public Function<SessionReport, String> formatter() {
    if (colour != null && colour != 0 && colour != 1) {
      throw new IllegalArgumentException("-C must be 0 or 1, not " + colour);
    }
    if (format == Format.jsonl) {
      return JsonLines::format;
    }
    boolean useColour = colour != null ? colour == 1 : onTerminal();
    MiruoText text = new MiruoText(useColour, quiet, ZoneId.systemDefault());
    return text::format;
  }
}
