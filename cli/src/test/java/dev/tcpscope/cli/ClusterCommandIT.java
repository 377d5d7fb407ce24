package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.viewer.SuspiciousSessionFeed;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ConsumerGroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/tcpscope cluster} as a user runs it, in its own process: three brokers holding
 * every topic three times, a client producing and consuming through them, the processor in its
 * group, the agent's live capture of a refused connection on {@code lo} coming back as a
 * suspicious session, the web view answering; then SIGTERM, and nothing left running or on disk.
 */
class ClusterCommandIT {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();
  private static final Pattern WORK = Pattern.compile("starting 3 KRaft nodes in (\\S+)");

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void startsThreeReplicatingBrokersAndEveryPartThenStopsLeavingNothing() throws Exception {
    Path out = Files.createTempFile("tcpscope-cluster-it-", ".out");
    Path err = Files.createTempFile("tcpscope-cluster-it-", ".err");
    Process cluster = new ProcessBuilder(HOME.resolve("bin/tcpscope").toString(), "cluster",
        "--web-port", "0", "--partitions", "3").redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    List<ProcessHandle> members = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (!Files.readString(out).contains("web view: ")) {
        if (!cluster.isAlive()) {
          String stderr = Files.readString(err);
          Assumptions.assumeFalse(stderr.contains("no permission")
                  || stderr.contains("libpcap could not be loaded"),
              "the cluster's agent captures live on lo: it needs libpcap and capture rights"
                  + " (root or CAP_NET_RAW; .ci/run installs libpcap-dev):\n" + stderr);
          throw new AssertionError("bin/tcpscope cluster exited:\n" + stderr);
        }
        assertThat(System.nanoTime()).as("not up within 240 s:\n%s", Files.readString(err))
            .isLessThan(deadline);
        Thread.sleep(250);
      }
      String stdout = Files.readString(out);
      String bootstrap = line(stdout, "bootstrap servers: ");
      String url = line(stdout, "web view: ");
      assertThat(bootstrap.split(",")).hasSize(3).allMatch(s -> s.startsWith("127.0.0.1:"));
      members.addAll(cluster.descendants().toList());
      assertThat(members).as("three nodes, processor, agent, web view").hasSize(6);

      Properties client = new Properties();
      client.put("bootstrap.servers", bootstrap);
      try (Admin admin = Admin.create(client)) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
        assertThat(admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS)
            .voters()).hasSize(3);
        TopicDescription segments = admin.describeTopics(List.of(TcpscopeTopics.SEGMENTS))
            .allTopicNames().get(30, TimeUnit.SECONDS).get(TcpscopeTopics.SEGMENTS);
        assertThat(segments.partitions()).hasSize(3).allSatisfy(p -> {
          assertThat(p.replicas()).hasSize(3);
          assertThat(p.isr()).hasSize(3);
        });
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC,
            TcpscopeTopics.SEGMENTS);
        ConfigEntry minInSync = admin.describeConfigs(List.of(topic)).all()
            .get(30, TimeUnit.SECONDS).get(topic).get("min.insync.replicas");
        assertThat(minInSync.value()).isEqualTo("2");

        // A client of its own: replicated three times, written with acks=all, read back.
        admin.createTopics(List.of(new NewTopic("cluster-it", 3, (short) 3))).all()
            .get(30, TimeUnit.SECONDS);
        Properties producerSettings = new Properties();
        producerSettings.putAll(client);
        producerSettings.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerSettings,
            new StringSerializer(), new StringSerializer())) {
          for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>("cluster-it", "k" + i, "v" + i))
                .get(30, TimeUnit.SECONDS);
          }
        }
        Properties consumerSettings = new Properties();
        consumerSettings.putAll(client);
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerSettings,
            new StringDeserializer(), new StringDeserializer())) {
          List<TopicPartition> partitions = List.of(new TopicPartition("cluster-it", 0),
              new TopicPartition("cluster-it", 1), new TopicPartition("cluster-it", 2));
          consumer.assign(partitions);
          consumer.seekToBeginning(partitions);
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
          while (read.size() < 100 && System.nanoTime() < until) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
              read.add(r.value());
            }
          }
        }
        assertThat(read).hasSize(100).contains("v0", "v99");

        var group = admin.describeConsumerGroups(List.of("tcpscope-processor")).all()
            .get(30, TimeUnit.SECONDS).get("tcpscope-processor");
        assertThat(group.state()).isEqualTo(ConsumerGroupState.STABLE);
        assertThat(group.members()).hasSize(1);
      }

      // The agent captures on lo: a refused connection to a closed port becomes a suspicious
      // session (RST) on the anomaly topic, through the processor.
      int closed;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closed = s.getLocalPort();
      }
      List<SessionReport> refused = new ArrayList<>();
      try (SuspiciousSessionFeed feed = new SuspiciousSessionFeed(client,
          TcpscopeTopics.SUSPICIOUS_SESSIONS, true)) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (refused.isEmpty() && System.nanoTime() < until) {
          try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), closed)) {
            throw new AssertionError("port " + closed + " was expected closed");
          } catch (ConnectException expected) {
            // refused: SYN answered by RST
          }
          feed.pollOnce(Duration.ofSeconds(2), r -> {
            if (r.serverPort() == closed) {
              refused.add(r);
            }
          });
        }
      }
      assertThat(refused).as("the refused connection to %d, seen on lo:\n%s", closed,
          Files.readString(err)).isNotEmpty();
      assertThat(refused.get(0).reasons().toString()).contains("RST");

      HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);

      cluster.destroy(); // SIGTERM, as a service manager stops it
      boolean ended = cluster.waitFor(120, TimeUnit.SECONDS);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      assertThat(ended).as("stopped within 120 s:\n%s", stderr).isTrue();
      assertThat(cluster.exitValue()).as(stderr).isZero();
      for (ProcessHandle m : members) {
        m.onExit().get(10, TimeUnit.SECONDS);
        assertThat(m.isAlive()).as("pid %d left running", m.pid()).isFalse();
      }
      Matcher work = WORK.matcher(stderr);
      assertThat(work.find()).as(stderr).isTrue();
      assertThat(Path.of(work.group(1))).as("its files removed").doesNotExist();
      assertThat(stderr).contains("tcpscope cluster: stopped; removed");
    } finally {
      if (cluster.isAlive()) {
        cluster.destroy();
        if (!cluster.waitFor(60, TimeUnit.SECONDS)) {
          cluster.destroyForcibly();
          members.forEach(ProcessHandle::destroyForcibly);
        }
      }
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String line(String text, String prefix) {
    for (String l : text.split("\n")) {
      if (l.startsWith(prefix)) {
        return l.substring(prefix.length()).trim();
      }
    }
    throw new AssertionError("no '" + prefix + "' line in:\n" + text);
  }
}
