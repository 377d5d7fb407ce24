package dev.tcpscope.cli.command;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.viewer.SuspiciousSessionFeed;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code watch}: prints the anomaly topic in miruo's layout (or JSON lines). */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Print suspicious sessions from the anomaly topic as they arrive.")
public final class WatchCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin OutputOptions output;

  @Option(names = "--from-beginning", description = "Start at the oldest session kept by the topic.")
  boolean fromBeginning;

  @Option(names = "--topic", defaultValue = TcpscopeTopics.SUSPICIOUS_SESSIONS,
      description = "The anomaly topic to read (default ${DEFAULT-VALUE}); a re-judging"
          + " processor's --suspicious-topic, for example.")
  String topic;

  @Override
  public Integer call() throws Exception {
    kafka.requireBootstrapServer();
    Function<SessionReport, String> formatter = output.formatter();
    PrintStream out = System.out;
    AtomicBoolean running = new AtomicBoolean(true);
    try (SuspiciousSessionFeed feed = new SuspiciousSessionFeed(kafka.clientSettings(System.getenv()),
        topic, fromBeginning)) {
      Thread main = Thread.currentThread();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        running.set(false);
        feed.wakeup();
        try {
          main.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      while (running.get()) {
        feed.pollOnce(Duration.ofMillis(500), r -> {
          out.println(formatter.apply(r));
          out.flush();
        });
      }
    }
    return 0;
  }
}
