package dev.tcpscope.session.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.topology.SessionTopology;
import dev.tcpscope.session.topology.TopologySettings;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class StreamsPropertiesTest {

  /**
   * Task idling only orders records across a task's input partitions. The processor disables
   * it for speed, which is right only while every sub-topology reads a single topic: a join or
   * a merge added later fails here, and the setting has to be thought about again.
   */
  @Test
  void taskIdlingIsOffBecauseEverySubTopologyReadsOneTopic() {
    Properties p = StreamsProperties.of("localhost:9092", "app", "exactly_once_v2",
        Path.of("state"), new Properties());
    assertThat(p.getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
        .isEqualTo(String.valueOf(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));

    for (TopologySettings settings : new TopologySettings[] {
        TopologySettings.defaults(RuleSettings.defaults()),
        TopologySettings.defaults(RuleSettings.defaults()).withSessionsTopic("sessions")}) {
      TopologyDescription description = SessionTopology.build(settings).describe();
      assertThat(description.globalStores()).isEmpty();
      assertThat(description.subtopologies()).hasSizeGreaterThan(1);
      for (TopologyDescription.Subtopology sub : description.subtopologies()) {
        long topics = sub.nodes().stream()
            .filter(TopologyDescription.Source.class::isInstance)
            .map(TopologyDescription.Source.class::cast)
            .mapToLong(source -> {
              assertThat(source.topicPattern()).as("source %s", source.name()).isNull();
              return source.topicSet().size();
            })
            .sum();
        assertThat(topics).as("input topics of sub-topology %d", sub.id()).isEqualTo(1);
      }
    }
  }

  @Test
  void theUsersClientSettingsStillWin() {
    Properties mine = new Properties();
    mine.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "100");
    Properties p = StreamsProperties.of("localhost:9092", "app", "exactly_once_v2",
        Path.of("state"), mine);
    assertThat(p.getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("100");
  }
}
