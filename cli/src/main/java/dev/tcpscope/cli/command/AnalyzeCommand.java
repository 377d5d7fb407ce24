package dev.tcpscope.cli.command;

import dev.tcpscope.capture.pcap.CaptureFormatException;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionTable;
import dev.tcpscope.session.format.StatisticsText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code analyze}: the engine alone on capture files, like {@code miruo -f}. No Kafka. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Report the suspicious TCP sessions of capture files (pcap or pcapng), offline.")
public final class AnalyzeCommand implements Callable<Integer> {
  @Mixin RuleOptions rules;
  @Mixin OutputOptions output;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id in the reports (default: this host's name).")
  String observer;

  @Option(names = "--no-stats", description = "Do not print the statistics block at the end.")
  boolean noStats;

  @Parameters(paramLabel = "FILE", arity = "1..*",
      description = "Capture files; '-' reads standard input.")
  List<String> files;

  @Override
  public Integer call() throws IOException {
    RuleSettings settings = rules.toSettings();
    Function<SessionReport, String> formatter = output.formatter();
    PrintStream out = System.out;
    String observerId = Hosts.observerOr(observer);
    int exit = 0;
    for (String file : files) {
      SessionTable table = new SessionTable(settings, observerId, r -> out.println(formatter.apply(r)));
      table.source(file);
      CaptureFileReplay replay = new CaptureFileReplay();
      Segment segment = new Segment();
      try {
        replay.replay(file, decoded -> {
          Segments.copy(decoded, segment);
          table.onSegment(segment);
        });
      } catch (NoSuchFileException e) {
        System.err.println("tcpscope analyze: no such file: " + file);
        exit = 2;
        continue;
      } catch (CaptureFormatException e) {
        System.err.println("tcpscope analyze: " + file + ": " + e.getMessage());
        exit = 2;
        continue;
      }
      table.endOfCapture();
      out.flush();
      if (replay.damage() != null) {
        System.err.println("tcpscope analyze: " + file + ": " + replay.damage()
            + "; what came before it was analysed");
      }
      if (!noStats) {
        System.err.print(StatisticsText.format(table.stats(), replay.counters().frames(),
            replay.counters().summary()));
      }
    }
    return exit;
  }
}
