package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.demo.DemoCapture;
import dev.tcpscope.schemas.serde.SingleObjectSerde;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.TcpSegment;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.viewer.SuspiciousSessionFeed;
import dev.tcpscope.web.WebView;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A cluster closed to everyone who should not be on it, as README's "Security" section sets it
 * up: a KRaft broker with a SASL_SSL listener (SCRAM-SHA-512), a mutual-TLS listener (also the
 * brokers' and controller's own), the StandardAuthorizer, and the ACLs of each role created
 * through Admin. The agent, the processor and the viewer each run with their own principal
 * through their real code paths ({@code --kafka-config FILE}), and each is refused what its role
 * does not need.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecuredClusterIT {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();
  private static final String STORE_PASSWORD = "store-secret";
  private static final String OBSERVER = "secured-agent";
  private static final String APPLICATION_ID = "tcpscope-processor";
  private static final List<String> TOPICS = List.of(TcpscopeTopics.SEGMENTS,
      TcpscopeTopics.HEARTBEATS, TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.DEAD_LETTER,
      TcpscopeTopics.HOTSPOTS, TcpscopeTopics.SESSIONS);

  private static Path dir;
  private static EmbeddedKafkaBroker broker;
  private static CertificateAuthority authority;
  private static Path trustStore;
  private static Path capture;
  /** The SASL_SSL listener (SCRAM) and the mutual-TLS one. */
  private static String sasl;
  private static String mtls;

  @BeforeAll
  static void startSecuredBroker() throws Exception {
    dir = Files.createTempDirectory("tcpscope-secured-");
    authority = CertificateAuthority.create("tcpscope test CA");
    Path brokerKeys = authority.keyStore(dir.resolve("broker.p12"), "broker", STORE_PASSWORD);
    trustStore = authority.trustStore(dir.resolve("truststore.p12"), STORE_PASSWORD);
    capture = dir.resolve("demo.pcap");
    try (InputStream in = DemoCapture.class.getResourceAsStream(DemoCapture.RESOURCE)) {
      Files.copy(in, capture);
    }

    int saslPort = EmbeddedKafkaBroker.freePort();
    int mtlsPort = EmbeddedKafkaBroker.freePort();
    int controllerPort = EmbeddedKafkaBroker.freePort();
    Properties b = new Properties();
    b.put("listeners", "SASL_SSL://127.0.0.1:" + saslPort + ",MTLS://127.0.0.1:" + mtlsPort
        + ",CONTROLLER://127.0.0.1:" + controllerPort);
    b.put("advertised.listeners",
        "SASL_SSL://127.0.0.1:" + saslPort + ",MTLS://127.0.0.1:" + mtlsPort);
    b.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,MTLS:SSL,CONTROLLER:SSL");
    b.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    // Broker and controller talk over mutual TLS: SCRAM credentials live in the metadata, which
    // the controller listener cannot depend on.
    b.put("inter.broker.listener.name", "MTLS");
    b.put("ssl.keystore.type", "PKCS12");
    b.put("ssl.keystore.location", brokerKeys.toString());
    b.put("ssl.keystore.password", STORE_PASSWORD);
    b.put("ssl.truststore.type", "PKCS12");
    b.put("ssl.truststore.location", trustStore.toString());
    b.put("ssl.truststore.password", STORE_PASSWORD);
    b.put("listener.name.mtls.ssl.client.auth", "required");
    b.put("listener.name.controller.ssl.client.auth", "required");
    // A certificate's CN is its principal: CN=broker is User:broker.
    b.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+).*$/$1/,DEFAULT");
    b.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    b.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    b.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    b.put("allow.everyone.if.no.acl.found", "false");
    b.put("super.users", "User:broker;User:admin");
    broker = EmbeddedKafkaBroker.start(b,
        List.of("--add-scram", "SCRAM-SHA-512=[name=admin,password=admin-secret]"));
    sasl = broker.bootstrapServers("SASL_SSL");
    mtls = broker.bootstrapServers("MTLS");

    Properties admin = scram("admin", "admin-secret");
    TopicSetup.ensure(admin, sasl, TOPICS, 2, (short) 1);
    try (Admin a = Admin.create(admin)) {
      List<UserScramCredentialUpsertion> users = new ArrayList<>();
      for (String user : List.of("agent", "processor", "viewer")) {
        users.add(new UserScramCredentialUpsertion(user,
            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), user + "-secret"));
      }
      a.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
      a.createAcls(acls()).all().get(30, TimeUnit.SECONDS);
    }
    // Credentials and ACLs reach the broker through the metadata log: wait until they apply.
    Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (Admin a = Admin.create(scram("viewer", "viewer-secret"))) {
        return a.describeTopics(List.of(TcpscopeTopics.SUSPICIOUS_SESSIONS)).allTopicNames()
            .get(5, TimeUnit.SECONDS).size() == 1;
      }
    });
  }

  /** README's ACLs ("Security"), one role at a time. */
  private static List<AclBinding> acls() {
    List<AclBinding> acls = new ArrayList<>();
    for (String agent : List.of("User:agent", "User:agent-b")) {
      // agents: write the segment and heartbeat topics, nothing else
      acls.add(allow(agent, ResourceType.TOPIC, TcpscopeTopics.SEGMENTS, AclOperation.WRITE));
      acls.add(allow(agent, ResourceType.TOPIC, TcpscopeTopics.HEARTBEATS, AclOperation.WRITE));
    }
    String p = "User:processor";
    acls.add(allow(p, ResourceType.TOPIC, TcpscopeTopics.SEGMENTS, AclOperation.READ));
    // the hotspot aggregation reads the anomaly topic back
    acls.add(allow(p, ResourceType.TOPIC, TcpscopeTopics.SUSPICIOUS_SESSIONS, AclOperation.READ));
    for (String out : List.of(TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.DEAD_LETTER,
        TcpscopeTopics.HOTSPOTS, TcpscopeTopics.SESSIONS)) {
      acls.add(allow(p, ResourceType.TOPIC, out, AclOperation.WRITE));
    }
    // seeing that every tcpscope topic exists (at start it creates only the missing ones)
    acls.add(allowPrefixed(p, ResourceType.TOPIC, "tcpscope.", AclOperation.DESCRIBE));
    // Kafka Streams' internal topics (changelogs, repartitions), its group, its transactions
    acls.add(allowPrefixed(p, ResourceType.TOPIC, APPLICATION_ID, AclOperation.ALL));
    acls.add(allow(p, ResourceType.GROUP, APPLICATION_ID, AclOperation.READ));
    acls.add(allowPrefixed(p, ResourceType.TRANSACTIONAL_ID, APPLICATION_ID, AclOperation.WRITE));
    acls.add(allowPrefixed(p, ResourceType.TRANSACTIONAL_ID, APPLICATION_ID,
        AclOperation.DESCRIBE));
    // viewers: read the anomaly topic
    acls.add(allow("User:viewer", ResourceType.TOPIC, TcpscopeTopics.SUSPICIOUS_SESSIONS,
        AclOperation.READ));
    return acls;
  }

  private static AclBinding allow(String principal, ResourceType type, String name,
      AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }

  private static AclBinding allowPrefixed(String principal, ResourceType type, String prefix,
      AclOperation operation) {
    return new AclBinding(new ResourcePattern(type, prefix, PatternType.PREFIXED),
        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
    if (dir != null) {
      EmbeddedKafkaBroker.deleteRecursively(dir);
    }
  }

  // ---- client settings, as README's "Security" section gives them ----

  /** TLS: the cluster's certificate authority, host name verified (Kafka's default). */
  private static Properties tls() {
    Properties p = new Properties();
    p.put("security.protocol", "SSL");
    p.put("ssl.truststore.type", "PKCS12");
    p.put("ssl.truststore.location", trustStore.toString());
    p.put("ssl.truststore.password", STORE_PASSWORD);
    p.put("bootstrap.servers", sasl);
    return p;
  }

  /** For clients this test expects to be refused: fail in seconds, not Kafka's minute. */
  private static Properties quick(Properties settings) {
    Properties p = new Properties();
    p.putAll(settings);
    p.put("default.api.timeout.ms", "10000");
    p.put("request.timeout.ms", "5000");
    p.put("max.block.ms", "10000");
    return p;
  }

  private static Properties scram(String user, String password) {
    Properties p = tls();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
        + " username=\"" + user + "\" password=\"" + password + "\";");
    return p;
  }

  /** Mutual TLS: a client certificate of the cluster's authority; its CN is the principal. */
  private static Properties mutualTls(String commonName) throws Exception {
    Properties p = tls();
    Path keys = authority.keyStore(dir.resolve(commonName + ".p12"), commonName, STORE_PASSWORD);
    p.put("bootstrap.servers", mtls);
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.location", keys.toString());
    p.put("ssl.keystore.password", STORE_PASSWORD);
    return p;
  }

  /** A --kafka-config file of these settings, as an operator writes it. */
  private static Path configFile(String name, Properties settings) throws IOException {
    Path file = dir.resolve(name + ".properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      settings.store(out, name);
    }
    return file;
  }

  // ---- the roles ----

  @Test
  @Order(1)
  void anAgentPublishesARealCaptureWithItsOwnCredentials() throws Exception {
    CommandRun run = CommandRun.of("agent", "-f", capture.toString(), "--bootstrap-server", sasl,
        "--kafka-config", configFile("agent", scram("agent", "agent-secret")).toString(),
        "--observer", OBSERVER);

    assertThat(run.exitCode()).as(run.err()).isZero();
    int published = counter(run.err(), "published");
    assertThat(published).as(run.err()).isPositive();
    assertThat(counter(run.err(), "publish_failed")).isZero();
    List<TcpSegment> segments = readAll(scram("admin", "admin-secret"), TcpscopeTopics.SEGMENTS,
        TcpscopeSerdes.tcpSegment());
    assertThat(segments).hasSize(published)
        .allSatisfy(s -> assertThat(s.getObserver()).isEqualTo(OBSERVER));
  }

  @Test
  @Order(2)
  void clientsWithoutValidCredentialsAreRefused() throws Exception {
    // a wrong password: the agent says why and exits with failure, nothing is written
    CommandRun impostor = CommandRun.of("agent", "-f", capture.toString(), "--bootstrap-server",
        sasl, "--kafka-config", configFile("impostor", scram("agent", "guessed")).toString(),
        "--observer", "impostor", "--flush-timeout", "2");
    assertThat(impostor.exitCode()).as(impostor.err()).isNotZero();
    assertThat(impostor.err()).contains("tcpscope agent: Kafka refused this agent: Authentication"
        + " failed during authentication due to invalid credentials with SASL mechanism"
        + " SCRAM-SHA-512");
    try (Admin a = Admin.create(quick(scram("agent", "guessed")))) {
      assertThatThrownBy(() -> a.listTopics().names().get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }

    // TLS without SASL, or no TLS at all, on the SASL_SSL listener: no principal, no answer
    Properties plaintext = new Properties();
    plaintext.put("bootstrap.servers", sasl);
    for (Properties unauthenticated : List.of(tls(), plaintext)) {
      Properties p = quick(unauthenticated);
      p.put("default.api.timeout.ms", "3000");
      p.put("request.timeout.ms", "2000");
      try (Admin a = Admin.create(p)) {
        assertThatThrownBy(() -> a.listTopics().names().get(10, TimeUnit.SECONDS))
            .as(p.getProperty("security.protocol", "PLAINTEXT"))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
      }
    }
    // the mutual-TLS listener refuses a client without a certificate during the handshake
    Properties noCertificate = quick(tls());
    noCertificate.put("bootstrap.servers", mtls);
    try (Admin a = Admin.create(noCertificate)) {
      assertThatThrownBy(() -> a.listTopics().names().get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SslAuthenticationException.class);
    }
    // and a certificate from another authority, even with an agent's name in it
    Properties stranger = quick(tls());
    stranger.put("bootstrap.servers", mtls);
    stranger.put("ssl.keystore.type", "PKCS12");
    stranger.put("ssl.keystore.location", CertificateAuthority.create("someone else's CA")
        .keyStore(dir.resolve("stranger.p12"), "agent-b", STORE_PASSWORD).toString());
    stranger.put("ssl.keystore.password", STORE_PASSWORD);
    try (Admin a = Admin.create(stranger)) {
      assertThatThrownBy(() -> a.listTopics().names().get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    assertThat(readAll(scram("admin", "admin-secret"), TcpscopeTopics.SEGMENTS,
        TcpscopeSerdes.tcpSegment())).noneSatisfy(s ->
        assertThat(s.getObserver()).isEqualTo("impostor"));
  }

  @Test
  @Order(3)
  void anAgentCanNeitherReadTheAnomaliesNorWriteAnyOtherTopic() throws Exception {
    Properties agent = scram("agent", "agent-secret");
    for (String topic : List.of(TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.SEGMENTS)) {
      try (KafkaConsumer<byte[], byte[]> c = consumer(agent)) {
        c.assign(List.of(new TopicPartition(topic, 0)));
        c.seekToBeginning(c.assignment());
        assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5))).as(topic)
            .isInstanceOf(TopicAuthorizationException.class);
      }
    }
    // group reads are refused as well, whatever group it names
    Properties grouped = scram("agent", "agent-secret");
    grouped.put("group.id", APPLICATION_ID);
    try (KafkaConsumer<byte[], byte[]> c = consumer(grouped)) {
      c.subscribe(List.of(TcpscopeTopics.SUSPICIOUS_SESSIONS));
      assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5)))
          .isInstanceOfAny(GroupAuthorizationException.class, TopicAuthorizationException.class);
    }
    try (KafkaProducer<byte[], byte[]> producer = producer(agent)) {
      for (String topic : List.of(TcpscopeTopics.SUSPICIOUS_SESSIONS, TcpscopeTopics.DEAD_LETTER,
          TcpscopeTopics.HOTSPOTS, TcpscopeTopics.SESSIONS, APPLICATION_ID + "-changelog",
          "anything-else")) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, new byte[] {1}))
            .get(10, TimeUnit.SECONDS)).as(topic)
            .cause().isInstanceOf(TopicAuthorizationException.class);
      }
    }
    // nor can it create topics or grant itself more
    try (Admin a = Admin.create(quick(agent))) {
      assertThatThrownBy(() -> a.createTopics(List.of(new NewTopic("agent-made", 1, (short) 1)))
          .all().get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(TopicAuthorizationException.class);
      assertThatThrownBy(() -> a.createAcls(List.of(allow("User:agent", ResourceType.TOPIC,
          TcpscopeTopics.SUSPICIOUS_SESSIONS, AclOperation.READ))).all()
          .get(10, TimeUnit.SECONDS)).cause()
          .isInstanceOf(ClusterAuthorizationException.class);
    }
  }

  @Test
  @Order(4)
  void theProcessorJudgesWithItsAclsAndTheViewerReadsOnlyTheAnomalies() throws Exception {
    List<String> expected = offlineVerdicts();
    assertThat(expected).isNotEmpty();
    Path log = dir.resolve("processor.log");
    ProcessBuilder builder = new ProcessBuilder(HOME.resolve("bin/tcpscope").toString(), "processor",
        "--bootstrap-server", sasl,
        "--kafka-config", configFile("processor", scram("processor", "processor-secret"))
            .toString(),
        "--application-id", APPLICATION_ID, "--from-beginning",
        "--processing-guarantee", "exactly_once_v2", "--commit-interval-ms", "100",
        "--partitions", "2", "--state-dir", dir.resolve("state").toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    // Kafka Streams' account of its tasks, for a failing run's diagnosis
    builder.environment().put("TCPSCOPE_JAVA_OPTS",
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info");
    Process processor = builder.start();
    try {
      List<String> seen = new ArrayList<>();
      try (SuspiciousSessionFeed feed = new SuspiciousSessionFeed(scram("viewer", "viewer-secret"),
          TcpscopeTopics.SUSPICIOUS_SESSIONS, true)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < expected.size() && System.nanoTime() < deadline) {
          assertThat(processor.isAlive()).as(() -> read(log)).isTrue();
          feed.pollOnce(Duration.ofMillis(500), r -> seen.add(verdict(r)));
        }
      }
      assertThat(seen).as(() -> read(log) + "\n" + diagnosis())
          .containsExactlyInAnyOrderElementsOf(expected);
    } finally {
      processor.destroy();
      if (!processor.waitFor(30, TimeUnit.SECONDS)) {
        processor.destroyForcibly();
      }
    }
    assertThat(read(log)).doesNotContain("Authorization").doesNotContain("stopped after a failure");

    // The viewer reads the anomaly topic and nothing else, and writes nowhere.
    Properties viewer = scram("viewer", "viewer-secret");
    for (String topic : List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS,
        TcpscopeTopics.DEAD_LETTER)) {
      try (KafkaConsumer<byte[], byte[]> c = consumer(viewer)) {
        c.assign(List.of(new TopicPartition(topic, 0)));
        c.seekToBeginning(c.assignment());
        assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5))).as(topic)
            .isInstanceOf(TopicAuthorizationException.class);
      }
    }
    try (KafkaProducer<byte[], byte[]> producer = producer(viewer)) {
      assertThatThrownBy(() -> producer.send(new ProducerRecord<>(
          TcpscopeTopics.SUSPICIOUS_SESSIONS, new byte[] {1})).get(10, TimeUnit.SECONDS))
          .cause().isInstanceOf(TopicAuthorizationException.class);
    }
    // nor run an agent: the agent names what was refused
    CommandRun viewerAsAgent = CommandRun.of("agent", "-f", capture.toString(),
        "--bootstrap-server", sasl, "--kafka-config", configFile("viewer", viewer).toString(),
        "--observer", "viewer", "--flush-timeout", "2");
    assertThat(viewerAsAgent.exitCode()).as(viewerAsAgent.err()).isEqualTo(2);
    assertThat(viewerAsAgent.err()).contains("tcpscope agent: Kafka refused this agent: ")
        .contains(TcpscopeTopics.SEGMENTS);
    // The web view with the viewer's settings follows the anomaly topic (its two partitions)
    // and leaves the hotspot and heartbeat topics it may not read, without failing.
    try (WebView web = WebView.start(viewer, new WebView.Settings(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10, Duration.ofSeconds(5)))) {
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> web.followedPartitions() == 2);
      Thread.sleep(1000);
      assertThat(web.followedPartitions()).isEqualTo(2);
      assertThat(web.failure()).isNull();
    }
  }

  @Test
  @Order(5)
  void theAgentsCommandReadsTheHeartbeatsWithTheSettingsItIsGiven() throws Exception {
    CommandRun board = CommandRun.of("agents", "--bootstrap-server", sasl, "--kafka-config",
        configFile("operator", scram("admin", "admin-secret")).toString());
    assertThat(board.exitCode()).as(board.err()).isZero();
    assertThat(board.out()).contains(OBSERVER).doesNotContain("impostor");
  }

  @Test
  @Order(6)
  void anAgentWithAClientCertificatePublishesOverMutualTls() throws Exception {
    CommandRun run = CommandRun.of("agent", "-f", capture.toString(), "--bootstrap-server", mtls,
        "--kafka-config", configFile("agent-b", mutualTls("agent-b")).toString(),
        "--observer", "agent-b");

    assertThat(run.exitCode()).as(run.err()).isZero();
    int published = counter(run.err(), "published");
    assertThat(published).isPositive();
    assertThat(readAll(scram("admin", "admin-secret"), TcpscopeTopics.SEGMENTS,
        TcpscopeSerdes.tcpSegment()).stream().filter(s -> s.getObserver().equals("agent-b")))
        .hasSize(published);
    // the same certificate's principal (User:agent-b) is an agent's: no reading the anomalies
    try (KafkaConsumer<byte[], byte[]> c = consumer(mutualTls("agent-b"))) {
      c.assign(List.of(new TopicPartition(TcpscopeTopics.SUSPICIOUS_SESSIONS, 0)));
      c.seekToBeginning(c.assignment());
      assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5)))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  // ---- helpers of these tests ----

  /** "client_port reasons" of each session {@code analyze} reports for the capture. */
  private static List<String> offlineVerdicts() throws IOException {
    CommandRun run = CommandRun.of("analyze", "--format", "jsonl", "--observer", OBSERVER,
        capture.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<String> verdicts = new ArrayList<>();
    for (String line : run.out().split("\n")) {
      if (!line.isBlank()) {
        JsonNode s = json.readTree(line);
        List<String> reasons = new ArrayList<>();
        s.get("reasons").forEach(r -> reasons.add(r.asText()));
        verdicts.add(s.get("observer").asText() + " " + s.get("client_port").asInt() + " "
            + reasons);
      }
    }
    return verdicts;
  }

  private static String verdict(SessionReport r) {
    return r.observer() + " " + r.clientPort() + " " + r.reasons();
  }

  private static int counter(String agentOutput, String name) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\b" + name + "=(\\d+)").matcher(agentOutput);
    assertThat(m.find()).as(agentOutput).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static KafkaConsumer<byte[], byte[]> consumer(Properties settings) {
    Properties p = quick(settings);
    p.put("enable.auto.commit", "false");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static KafkaProducer<byte[], byte[]> producer(Properties settings) {
    Properties p = quick(settings);
    p.put("delivery.timeout.ms", "9000");
    p.put("request.timeout.ms", "4000");
    p.put("linger.ms", "0");
    // Not idempotent: an idempotent producer without Write on any topic is refused already
    // at its producer id (cluster authorization), before the topic would be asked about.
    p.put("enable.idempotence", "false");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Every record of one schema on the topic, from its start to its end now. */
  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(
      Properties settings, String topic, SingleObjectSerde<T> serde) {
    return TopicRecords.records(quick(settings), topic, "read_uncommitted").stream()
        .map(ConsumerRecord::value).filter(serde::isEncodedWithThisSchema).map(serde::decode)
        .toList();
  }

  /** What the topics hold, uncommitted records included, per partition: for a failing run. */
  private static String diagnosis() {
    StringBuilder text = new StringBuilder();
    Properties admin = scram("admin", "admin-secret");
    for (String topic : List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.SUSPICIOUS_SESSIONS)) {
      try (KafkaConsumer<byte[], byte[]> c = consumer(admin)) {
        List<TopicPartition> partitions = c.partitionsFor(topic).stream()
            .map(i -> new TopicPartition(topic, i.partition())).toList();
        text.append(topic).append(": begin ").append(c.beginningOffsets(partitions))
            .append(" end ").append(c.endOffsets(partitions)).append('\n');
      }
    }
    return text.toString();
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
