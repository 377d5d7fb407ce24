package dev.tcpscope.cli.broker;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates the topics tcpscope uses when they are missing. */
public final class TopicSetup {
  private TopicSetup() {}

  /** Every topic the agent, the processor and the viewers use. */
  public static final List<String> TOPICS = List.of(TcpscopeTopics.SEGMENTS,
      TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.DEAD_LETTER, TcpscopeTopics.HEARTBEATS,
      TcpscopeTopics.HOTSPOTS);

  /**
   * @return the topics that were created (those that existed are left as they are)
   */
  public static List<String> ensure(Properties clientSettings, String bootstrapServers,
      List<String> topics, int partitions, short replication)
      throws InterruptedException, ExecutionException, TimeoutException {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(p)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics) {
        if (!existing.contains(topic)) {
          missing.add(new NewTopic(topic, partitions, replication));
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
      return missing.stream().map(NewTopic::name).toList();
    }
  }
}
