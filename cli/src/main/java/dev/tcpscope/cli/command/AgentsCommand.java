package dev.tcpscope.cli.command;

import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.web.board.AgentBoard;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code agents}: every observer that ever sent a heartbeat (the compacted heartbeat topic keeps
 * each one's latest), with its last heartbeat, capture rate and drop counters; those silent for
 * longer than {@code --stale-after} are marked stale. The table is the web view's agent board.
 * The exit code makes it a fleet check a script can use: {@value #STALE} when an agent is
 * stale or none has ever sent a heartbeat.
 */
@Command(name = "agents", mixinStandardHelpOptions = true,
    description = "List the capture agents: last heartbeat, capture rate, drops, stale ones marked.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:every agent listed is live or has finished its capture file",
        "1:wrong arguments",
        "4:an agent is stale, or none has sent a heartbeat"})
public final class AgentsCommand implements Callable<Integer> {
  /** The exit code when an agent is stale or none is listed. */
  static final int STALE = 4;

  @Mixin KafkaOptions kafka;

  @Option(names = "--stale-after", paramLabel = "SECONDS", defaultValue = "10",
      description = "An agent silent this long is stale; agents beat every second"
          + " (default ${DEFAULT-VALUE}).")
  long staleAfterSeconds;

  private static final DateTimeFormatter TIME = DateTimeFormatter
      .ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

  @Override
  public Integer call() throws Exception {
    kafka.requireBootstrapServer();
    AgentBoard board = new AgentBoard(Duration.ofSeconds(staleAfterSeconds));
    long undecodable = read(kafka.clientSettings(System.getenv()), board);
    PrintStream out = System.out;
    AgentBoard.View view = board.view(System.currentTimeMillis());
    out.print(table(view));
    if (undecodable > 0) {
      System.err.println("tcpscope agents: " + undecodable + " records on "
          + TcpscopeTopics.HEARTBEATS + " were not heartbeats");
    }
    List<String> stale = view.agents().stream().filter(r -> r.status().equals("stale"))
        .map(AgentBoard.Row::observer).toList();
    if (view.agents().isEmpty()) {
      System.err.println("tcpscope agents: no agent has sent a heartbeat to "
          + TcpscopeTopics.HEARTBEATS);
      return STALE;
    }
    if (!stale.isEmpty()) {
      System.err.println("tcpscope agents: " + stale.size() + " stale (silent longer than "
          + staleAfterSeconds + " s): " + String.join(", ", stale));
      return STALE;
    }
    return 0;
  }

  /** Reads the heartbeat topic from its start to its current end into the board. */
  static long read(Properties clientSettings, AgentBoard board) {
    Properties p = new Properties();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tcpscope-agents");
    p.putAll(clientSettings);
    SingleObjectSerde<AgentHeartbeat> serde = TcpscopeSerdes.agentHeartbeat();
    long undecodable = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer
          .partitionsFor(TcpscopeTopics.HEARTBEATS, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            board.add(serde.decode(r.value()));
          } catch (SerializationException e) {
            undecodable++;
          }
        }
      }
    }
    return undecodable;
  }

  static String table(AgentBoard.View view) {
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
        "%-20s %-9s %-19s %7s %10s %12s %12s %12s %10s %10s  %s%n", "OBSERVER", "STATUS",
        "LAST HEARTBEAT", "AGE_S", "SEGMENTS/S", "FRAMES", "SEGMENTS", "PUBLISHED",
        "DROP_AGENT", "DROP_PCAP", "SOURCE"));
    for (AgentBoard.Row r : view.agents()) {
      t.append(String.format(Locale.ROOT,
          "%-20s %-9s %-19s %7.1f %10s %12d %12d %12d %10d %10d  %s%n", r.observer(),
          r.status() + (r.dropping() ? "!" : ""), TIME.format(Instant.ofEpochMilli(r.sentAtMs())),
          r.ageMs() / 1000.0,
          r.segmentsPerSecond() == null ? "-" : String.format(Locale.ROOT, "%.0f",
              r.segmentsPerSecond()),
          r.frames(), r.segments(), r.published(), r.droppedByAgent(), r.droppedByCapture(),
          r.source() + " (v" + r.version() + ")"));
    }
    t.append(view.agents().size()).append(view.agents().size() == 1 ? " agent" : " agents")
        .append("; '!' after the status: dropping packets at its last heartbeat\n");
    return t.toString();
  }
}
