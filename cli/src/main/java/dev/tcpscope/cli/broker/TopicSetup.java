package dev.tcpscope.cli.broker;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topics tcpscope uses when they are missing, or says how to. */
public final class TopicSetup {
  private TopicSetup() {}

  private static final String TIMESTAMP_TYPE = "message.timestamp.type";
  private static final String APPEND_TIME = "LogAppendTime";

  /** Every topic the agent, the processor and the viewers use. */
  public static final List<String> TOPICS = List.of(TcpscopeTopics.SEGMENTS,
      TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.DEAD_LETTER, TcpscopeTopics.HEARTBEATS,
      TcpscopeTopics.HOTSPOTS);

  /**
   * Topic settings beyond partitions and replication.
   *
   * <p>Every topic stamps its records with the broker's append time. Records carry capture
   * time as their timestamp when produced, and a capture replayed from a file can be months
   * old: with the default (CreateTime) the broker's next retention check, within five
   * minutes, deletes such records as expired before a processor has read them, and with them
   * the anomalies found. Event time is in the values (ts_us, end_us), where tcpscope reads it.
   *
   * <p>The heartbeat topic also keeps each agent's latest heartbeat (compacted; the fleet
   * view reads it from the start).
   */
  static Map<String, String> configOf(String topic) {
    return topic.equals(TcpscopeTopics.HEARTBEATS)
        ? Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "60000",
            TIMESTAMP_TYPE, APPEND_TIME)
        : Map.of(TIMESTAMP_TYPE, APPEND_TIME);
  }

  /**
   * @return the topics that were created (those that existed are left as they are)
   */
  public static List<String> ensure(Properties clientSettings, String bootstrapServers,
      List<String> topics, int partitions, short replication)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(adminSettings(clientSettings, bootstrapServers))) {
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : missing(admin, topics)) {
        missing.add(new NewTopic(topic, partitions, replication).configs(configOf(topic)));
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
          // another instance created them meanwhile
        }
      }
      return missing.stream().map(NewTopic::name).toList();
    }
  }

  /**
   * Refuses to start when a topic is missing, saying how to create each (for clusters where
   * topics are made by their operators, not by applications).
   *
   * @throws IllegalStateException listing the missing topics and the commands that create them
   */
  public static void requireExisting(Properties clientSettings, String bootstrapServers,
      List<String> topics, int partitions, short replication)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> missing;
    try (Admin admin = Admin.create(adminSettings(clientSettings, bootstrapServers))) {
      missing = missing(admin, topics);
    }
    if (missing.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder("missing topics: " + String.join(", ", missing)
        + ". Create them (or start without --no-create-topics to let tcpscope do it):");
    for (String topic : missing) {
      message.append("\n  kafka-topics.sh --bootstrap-server ").append(bootstrapServers)
          .append(" --create --topic ").append(topic).append(" --partitions ").append(partitions)
          .append(" --replication-factor ").append(replication);
      configOf(topic).forEach((k, v) -> message.append(" --config ").append(k).append('=').append(v));
    }
    throw new IllegalStateException(message.toString());
  }

  private static List<String> missing(Admin admin, List<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
    return topics.stream().filter(t -> !existing.contains(t)).toList();
  }

  private static Properties adminSettings(Properties clientSettings, String bootstrapServers) {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }
}
