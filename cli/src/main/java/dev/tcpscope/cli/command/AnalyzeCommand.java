package dev.tcpscope.cli.command;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.pcap.CaptureFormatException;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.pipeline.DecodeCounters;
import dev.tcpscope.capture.source.BpfFrameFilter;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.engine.SessionTable;
import dev.tcpscope.session.format.StatisticsText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code analyze}: the engine alone on capture files, like {@code miruo -f}. No Kafka. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
    description = "Report the suspicious TCP sessions of capture files (pcap or pcapng), offline.",
    footer = "A BPF expression after '--' (tcpdump syntax) selects the frames read, e.g."
        + " analyze trace.pcap -- host 10.0.0.1 and port 80")
public final class AnalyzeCommand implements Callable<Integer> {
  @Mixin RuleOptions rules;
  @Mixin OutputOptions output;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id in the reports (default: this host's name).")
  String observer;

  @Option(names = "--no-stats", description = "Do not print the statistics block at the end.")
  boolean noStats;

  @Option(names = "-s", paramLabel = "N", defaultValue = "0",
      description = "Also print the statistics block every N seconds of capture time.")
  long statsEverySeconds;

  @Parameters(paramLabel = "FILE", arity = "1..*",
      description = "Capture files ('-' reads standard input), then optionally -- BPF.")
  List<String> positionals;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    RuleSettings settings = rules.toSettings();
    Function<SessionReport, String> formatter = output.formatter();
    if (statsEverySeconds < 0) {
      throw new IllegalArgumentException("-s must be 0 or more seconds, not " + statsEverySeconds);
    }
    FilesAndFilter input = FilesAndFilter.of(spec, positionals);
    BpfFrameFilter bpf = input.bpf() == null ? null : BpfFrameFilter.compile(input.bpf());
    PrintStream out = System.out;
    String observerId = Hosts.observerOr(observer);
    int exit = 0;
    for (String file : input.files()) {
      SessionTable table = new SessionTable(settings, observerId, r -> out.println(formatter.apply(r)));
      table.source(file);
      CaptureFileReplay replay = new CaptureFileReplay().filter(bpf);
      Segment segment = new Segment();
      long everyUs = statsEverySeconds * 1_000_000L;
      long[] nextStatsUs = {Long.MIN_VALUE};
      try {
        replay.replay(file, decoded -> {
          Segments.copy(decoded, segment, settings.httpMode());
          table.onSegment(segment);
          if (everyUs > 0) {
            if (nextStatsUs[0] == Long.MIN_VALUE) {
              nextStatsUs[0] = decoded.tsUs + everyUs;
            } else if (decoded.tsUs >= nextStatsUs[0]) {
              nextStatsUs[0] = decoded.tsUs + everyUs;
              out.flush();
              System.err.print(statistics(table, settings, replay));
            }
          }
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
        System.err.print(statistics(table, settings, replay));
      }
    }
    return exit;
  }

  private static String statistics(SessionTable table, RuleSettings settings,
      CaptureFileReplay replay) {
    DecodeCounters c = replay.counters();
    StringBuilder other = new StringBuilder();
    for (DecodeResult r : new DecodeResult[] {DecodeResult.UNSUPPORTED_LINK, DecodeResult.NOT_IP,
        DecodeResult.NOT_TCP, DecodeResult.NON_FIRST_FRAGMENT}) {
      if (c.get(r) > 0) {
        other.append(other.length() > 0 ? " " : "").append(r.name().toLowerCase(Locale.ROOT))
            .append('=').append(c.get(r));
      }
    }
    if (replay.filtered() > 0) {
      other.append(other.length() > 0 ? " " : "").append("filtered=").append(replay.filtered());
    }
    return StatisticsText.format(table.stats(), settings, new StatisticsText.Capture(c.frames(),
        c.segments(), c.get(DecodeResult.L2_ERROR), c.get(DecodeResult.IP_ERROR),
        c.get(DecodeResult.TCP_ERROR), other.toString()));
  }
}
