package dev.tcpscope.cli.command;

import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.session.runtime.ProcessorRuntime;
import dev.tcpscope.session.runtime.StreamsProperties;
import dev.tcpscope.session.topology.TopologySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code processor}: the Kafka Streams application that judges sessions. */
@Command(name = "processor", mixinStandardHelpOptions = true,
    description = "Session processor: rebuilds each connection's state and publishes suspicious sessions.")
public final class ProcessorCommand implements Callable<Integer> {
  @Mixin RuleOptions rules;
  @Mixin KafkaOptions kafka;

  @Option(names = "--application-id", defaultValue = "tcpscope-processor",
      description = "Kafka Streams application id (default ${DEFAULT-VALUE}).")
  String applicationId;

  @Option(names = "--state-dir", defaultValue = "${env:TCPSCOPE_STATE_DIR:-/tmp/tcpscope-state}",
      description = "State store directory (default ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
      description = "exactly_once_v2 or at_least_once (default ${DEFAULT-VALUE}).")
  String guarantee;

  @Option(names = "--partitions", defaultValue = "6",
      description = "Partitions of topics created at start when missing (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", defaultValue = "1",
      description = "Replication of topics created at start (default ${DEFAULT-VALUE}).")
  short replication;

  @Override
  public Integer call() throws Exception {
    String bootstrap = kafka.requireBootstrapServer();
    Properties client = kafka.clientSettings(System.getenv());
    TopicSetup.ensure(client, bootstrap, TopicSetup.TOPICS,
        partitions, replication);
    try (ProcessorRuntime runtime = new ProcessorRuntime(TopologySettings.defaults(rules.toSettings()),
        StreamsProperties.of(bootstrap, applicationId, guarantee, stateDir, client))) {
      Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "tcpscope-processor-stop"));
      runtime.start(Duration.ofMinutes(5));
      System.err.println("tcpscope processor: running (application id " + applicationId + ")");
      runtime.awaitStop();
      if (runtime.failure() != null) {
        System.err.println("tcpscope processor: stopped after a failure: " + runtime.failure());
        return 2;
      }
      return 0;
    }
  }
}
