package dev.tcpscope.cli.command;

import dev.tcpscope.cli.local.LocalPipeline;
import dev.tcpscope.session.engine.SessionReport;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code local -f FILE}: agent, processor and viewer on one host, on an embedded broker. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "The whole pipeline on one host: embedded broker (unless --bootstrap-server),"
        + " agent, processor and viewer.")
public final class LocalCommand implements Callable<Integer> {
  @Mixin RuleOptions rules;
  @Mixin OutputOptions output;
  @Mixin KafkaOptions kafka;
  @Mixin WebOption web;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", required = true,
      description = "Capture file to replay (pcap or pcapng; '-' for standard input).")
  String file;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id (default: this host's name).")
  String observer;

  @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
      paramLabel = "exactly_once_v2|at_least_once",
      description = "Kafka Streams processing guarantee (default ${DEFAULT-VALUE}).")
  String guarantee;

  @Override
  public Integer call() throws Exception {
    Function<SessionReport, String> formatter = output.formatter();
    if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
      throw new IllegalArgumentException("--processing-guarantee accepts exactly_once_v2 or"
          + " at_least_once, not '" + guarantee + "'");
    }
    PrintStream out = System.out;
    LocalPipeline pipeline = new LocalPipeline(rules.toSettings(), Hosts.observerOr(observer), guarantee)
        .with(web.companion("local", System.err));
    LocalPipeline.Capture capture = LocalPipeline.file(file);
    String counters;
    if (kafka.bootstrapServer != null && !kafka.bootstrapServer.isBlank()) {
      counters = pipeline.run(kafka.bootstrapServer, kafka.clientSettings(System.getenv()), capture,
          r -> out.println(formatter.apply(r)));
    } else {
      counters = pipeline.run(capture, r -> out.println(formatter.apply(r)));
    }
    System.err.println("tcpscope local: " + file + " processed: " + counters);
    return 0;
  }
}
