package dev.tcpscope.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpscope.cli.Tcpscope;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.cli.command.ProcessorCommand;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docker-compose.yml checked against the code, since no Docker engine runs here: the services
 * and images, the Kafka image's version against our clients', the commands and options each
 * container runs, the environment variables they set against those the programs read, ports,
 * healthchecks, volumes, and the Dockerfiles they are built from.
 */
class DockerComposeTest {
  /** The tcpscope services and the subcommand each must run. */
  private static final Map<String, String> RUNS = Map.of(
      "processor", "processor", "agent", "agent", "web", "web");
  private static final String LAUNCHER = "/opt/tcpscope/bin/tcpscope";
  private static final Pattern COMPOSE_DEFAULT = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]*)}");

  private static JsonNode compose;
  private static JsonNode services;

  @BeforeAll
  static void read() throws Exception {
    compose = Repository.yaml("docker-compose.yml");
    services = compose.path("services");
  }

  @Test
  void servicesAreKafkaTheTopicsTheProcessorAnAgentAndTheViewer() {
    Set<String> names = new LinkedHashSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrder("kafka", "topics", "processor", "agent", "web");
  }

  @Test
  void kafkaIsTheApacheImageOfOurClientsVersionInKraftMode() throws Exception {
    String version = Repository.pomProperty("kafka.version");
    assertThat(AppInfoParser.getVersion()).as("kafka-clients on the class path").isEqualTo(version);
    JsonNode kafka = services.path("kafka");
    assertThat(kafka.path("image").asText()).isEqualTo("apache/kafka:" + version);
    assertThat(services.path("topics").path("image").asText()).isEqualTo("apache/kafka:" + version);

    JsonNode env = kafka.path("environment");
    assertThat(env.path("KAFKA_PROCESS_ROLES").asText().split(","))
        .containsExactlyInAnyOrder("broker", "controller");
    assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText())
        .isEqualTo(env.path("KAFKA_NODE_ID").asText() + "@kafka:9093");
    assertThat(env.has("ZOOKEEPER_CONNECT") || env.has("KAFKA_ZOOKEEPER_CONNECT")).isFalse();
    // The log directory is the named volume, so topics survive a restart.
    assertThat(mounts(kafka)).containsEntry(env.path("KAFKA_LOG_DIRS").asText(), "kafka-data");
  }

  @Test
  void everyClientReachesAListenerTheBrokerAdvertisesToIt() {
    Map<String, String> advertised = new LinkedHashMap<>();
    for (String listener : services.path("kafka").path("environment")
        .path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
      String[] nameAndAddress = listener.split("://");
      advertised.put(nameAndAddress[1], nameAndAddress[0]);
    }
    for (String name : RUNS.keySet()) {
      JsonNode service = services.path(name);
      String bootstrap = environment(service).get("TCPSCOPE_BOOTSTRAP_SERVER");
      assertThat(bootstrap).as(name + "'s TCPSCOPE_BOOTSTRAP_SERVER").isNotNull();
      assertThat(advertised).as(name).containsKey(bootstrap);
      boolean hostNetwork = "host".equals(service.path("network_mode").asText());
      if (hostNetwork) {
        // On the host's network the broker is reached through its published port.
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        assertThat(bootstrap).startsWith("localhost:");
        assertThat(publishedPorts(services.path("kafka"))).containsEntry(port, port);
      } else {
        assertThat(bootstrap).startsWith("kafka:");
      }
    }
  }

  @Test
  void theTopicServiceCreatesEveryTopicAsTheProcessorWould() throws Exception {
    JsonNode topics = services.path("topics");
    String script = String.join("\n", strings(topics.path("command")));
    Matcher m = Pattern.compile("--topic\\s+(\\S+)").matcher(script);
    List<String> created = new ArrayList<>();
    while (m.find()) {
      created.add(m.group(1));
    }
    assertThat(created).containsExactlyInAnyOrderElementsOf(TopicSetup.TOPICS);
    String partitions = ProcessorCommand.class.getDeclaredField("partitions")
        .getAnnotation(CommandLine.Option.class).defaultValue();
    assertThat(script).contains("--partitions " + partitions).contains("--if-not-exists");
    // Each topic's settings are TopicSetup's, whether on its own line or on the shared command.
    var configOf = TopicSetup.class.getDeclaredMethod("configOf", String.class);
    configOf.setAccessible(true);
    String shared = script.lines().filter(l -> l.contains("create=")).findFirst().orElse("");
    for (String topic : TopicSetup.TOPICS) {
      String line = shared + " " + script.lines().filter(l -> l.contains("--topic " + topic + " ")
          || l.endsWith("--topic " + topic)).findFirst().orElseThrow();
      @SuppressWarnings("unchecked")
      Map<String, String> settings = (Map<String, String>) configOf.invoke(null, topic);
      assertThat(settings).as(topic).isNotEmpty();
      settings.forEach((k, v) -> assertThat(line).as(topic).contains("--config " + k + "=" + v));
    }
    assertThat(script.lines().filter(l -> l.contains("--topic " + TcpscopeTopics.HEARTBEATS)))
        .singleElement().asString().contains("cleanup.policy=compact");
    assertThat(topics.path("depends_on").path("kafka").path("condition").asText())
        .isEqualTo("service_healthy");
    assertThat(topics.path("restart").asText()).isEqualTo("no");
    for (String name : RUNS.keySet()) {
      assertThat(services.path(name).path("depends_on").path("topics").path("condition").asText())
          .as(name).isEqualTo("service_completed_successfully");
    }
  }

  @Test
  void eachTcpscopeImageIsBuiltInTwoStagesAndRunsARealSubcommand() throws Exception {
    for (var run : RUNS.entrySet()) {
      JsonNode service = services.path(run.getKey());
      Dockerfile dockerfile = dockerfile(service);
      assertThat(dockerfile.stages).as(run.getKey()).hasSizeGreaterThanOrEqualTo(2);
      assertThat(dockerfile.stages.get(0).base()).startsWith("maven:");
      assertThat(dockerfile.stages.get(0).instructions()).anyMatch(i -> i.keyword().equals("RUN")
          && i.arguments().contains("mvn ") && i.arguments().contains(" package"));
      String javaRelease = Repository.pomProperty("maven.compiler.release");
      assertThat(dockerfile.runtimeBaseImage()).as(run.getKey())
          .matches("eclipse-temurin:(\\d+)-jre.*")
          .satisfies(image -> assertThat(Integer.parseInt(image.replaceAll("\\D*(\\d+)-jre.*", "$1")))
              .isGreaterThanOrEqualTo(Integer.parseInt(javaRelease)));
      assertThat(dockerfile.all("COPY")).anyMatch(c -> c.contains("--from=build")
          && c.contains("/src/bin/tcpscope") && c.endsWith(LAUNCHER));
      assertThat(dockerfile.all("COPY")).anyMatch(c -> c.contains("cli/target/lib"));

      List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
      assertThat(entrypoint).as(run.getKey() + "'s ENTRYPOINT").hasSize(2)
          .startsWith(LAUNCHER, run.getValue());
      CommandLine.ParseResult parsed = parse(entrypoint, arguments(service, dockerfile));
      assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(run.getValue());
    }
  }

  @Test
  void theEnvironmentEachContainerGetsIsReadByTheProgramItRuns() throws Exception {
    for (var run : RUNS.entrySet()) {
      JsonNode service = services.path(run.getKey());
      CommandEnvironment reads = CommandEnvironment.of(run.getValue(), Repository.ROOT);
      Map<String, String> env = new LinkedHashMap<>(dockerfile(service).environment());
      env.putAll(environment(service));
      assertThat(env.keySet()).as(run.getKey() + " sets").isNotEmpty()
          .allSatisfy(name -> assertThat(reads.reads(name))
              .as("%s sets %s, which 'tcpscope %s' does not read (it reads %s and %s*)",
                  run.getKey(), name, run.getValue(), reads.variables(),
                  CommandEnvironment.kafkaPrefix())
              .isTrue());
    }
    // The check itself: a misspelt variable would not pass.
    CommandEnvironment agent = CommandEnvironment.of("agent", Repository.ROOT);
    assertThat(agent.reads("TCPSCOPE_BOOTSTRAP_SERVERS")).isFalse();
    assertThat(agent.reads("TCPSCOPE_WEB_PORT")).isFalse();
    assertThat(agent.reads("TCPSCOPE_KAFKA_SECURITY_PROTOCOL")).isTrue();
    assertThat(agent.reads("TCPSCOPE_AGENT_JAVA_OPTS")).isTrue();
  }

  @Test
  void thePortsPublishedAndProbedAreThoseTheProgramsListenOn() throws Exception {
    Map<String, String> listenOption = Map.of(
        "processor", "--http-port", "agent", "--metrics-port", "web", "--port");
    for (var run : RUNS.entrySet()) {
      JsonNode service = services.path(run.getKey());
      Dockerfile dockerfile = dockerfile(service);
      Map<String, String> env = new LinkedHashMap<>(dockerfile.environment());
      env.putAll(environment(service));
      CommandEnvironment command = CommandEnvironment.of(run.getValue(), Repository.ROOT);
      String option = listenOption.get(run.getKey());
      assertThat(command.hasOption(option)).isTrue();
      int port = Integer.parseInt(command.effectiveValue(option,
          parse(dockerfile.execForm("ENTRYPOINT"), arguments(service, dockerfile)), env));
      assertThat(port).as(run.getKey() + " " + option).isPositive();

      String probe = String.join(" ", strings(service.path("healthcheck").path("test")));
      assertThat(probe).as(run.getKey() + "'s healthcheck").contains("/" + port);
      if ("host".equals(service.path("network_mode").asText())) {
        assertThat(service.has("ports")).as("a host-network service publishes nothing").isFalse();
      } else {
        assertThat(publishedPorts(service)).as(run.getKey()).containsValue(port);
      }
      assertThat(strings(service.path("ports"))).as(run.getKey() + " ports")
          .allMatch(p -> p.startsWith("127.0.0.1:"));
      if (run.getKey().equals("web")) {
        // Inside its container the page must listen beyond loopback, or the port is dead.
        assertThat(command.effectiveValue("--bind",
            parse(dockerfile.execForm("ENTRYPOINT"), arguments(service, dockerfile)), env))
            .isEqualTo("0.0.0.0");
      }
    }
    assertThat(strings(services.path("kafka").path("ports"))).allMatch(p -> p.startsWith("127.0.0.1:"));
  }

  @Test
  void everyLongRunningServiceHasAHealthcheckAndRestarts() {
    for (String name : List.of("kafka", "processor", "agent", "web")) {
      JsonNode service = services.path(name);
      assertThat(strings(service.path("healthcheck").path("test"))).as(name).isNotEmpty()
          .first().isIn("CMD", "CMD-SHELL");
      assertThat(service.path("restart").asText()).as(name).isEqualTo("unless-stopped");
    }
  }

  @Test
  void theAgentCapturesTheHostsTrafficWithOnlyTheCapabilitiesLibpcapNeeds() throws Exception {
    JsonNode agent = services.path("agent");
    assertThat(agent.path("network_mode").asText()).isEqualTo("host");
    assertThat(strings(agent.path("cap_add"))).containsExactlyInAnyOrder("NET_RAW", "NET_ADMIN");
    assertThat(strings(agent.path("cap_drop"))).containsExactly("ALL");
    assertThat(agent.path("privileged").asBoolean(false)).isFalse();
    Dockerfile dockerfile = dockerfile(agent);
    assertThat(dockerfile.all("RUN")).anyMatch(r -> r.contains("apt-get install")
        && r.matches(".*\\blibpcap0\\.8\\S*.*"));
    CommandLine.ParseResult parsed = parse(dockerfile.execForm("ENTRYPOINT"),
        arguments(agent, dockerfile));
    assertThat(parsed.subcommand().hasMatchedOption("-i")).as("captures live").isTrue();
  }

  @Test
  void theProcessorAndTheViewerRunAsAnOrdinaryUser() throws Exception {
    for (String name : List.of("processor", "web")) {
      Dockerfile dockerfile = dockerfile(services.path(name));
      assertThat(dockerfile.last("USER")).as(name).isNotNull().isNotIn("root", "0");
      assertThat(dockerfile.all("RUN")).anyMatch(r -> r.contains("useradd")
          && r.contains(dockerfile.last("USER")));
    }
  }

  @Test
  void volumesAreDeclaredAndTheProcessorKeepsItsStateOnOne() {
    Set<String> declared = new LinkedHashSet<>();
    compose.path("volumes").fieldNames().forEachRemaining(declared::add);
    Set<String> used = new LinkedHashSet<>();
    services.forEach(s -> used.addAll(mounts(s).values()));
    assertThat(used).containsExactlyInAnyOrderElementsOf(declared);
    JsonNode processor = services.path("processor");
    assertThat(mounts(processor))
        .containsEntry(environment(processor).get("TCPSCOPE_STATE_DIR"), "processor-state");
  }

  @Test
  void composeItselfAcceptsTheFile() throws Exception {
    // Compose validates the file against its schema and resolves it without a Docker engine.
    List<String> command = Files.isExecutable(Path.of("/usr/bin/docker-compose"))
        ? List.of("/usr/bin/docker-compose", "config", "-q")
        : null;
    assumeTrue(command != null, "docker-compose is not installed (apt-get install"
        + " docker-compose); .ci/run installs it, so CI validates the file");
    Process p = new ProcessBuilder(command).directory(Repository.ROOT.toFile())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).as("warnings").isBlank();
  }

  // --- reading the compose file ---

  private static Dockerfile dockerfile(JsonNode service) throws Exception {
    JsonNode build = service.path("build");
    assertThat(build.path("context").asText()).isEqualTo(".");
    return new Dockerfile(Repository.file(build.path("dockerfile").asText()));
  }

  /** The arguments after the ENTRYPOINT: the service's command, else the image's CMD. */
  private static List<String> arguments(JsonNode service, Dockerfile dockerfile) throws Exception {
    List<String> args = service.has("command") ? strings(service.path("command"))
        : dockerfile.execForm("CMD");
    // Compose interpolates ${NAME:-default}; the default is what runs when NAME is unset.
    return args.stream().map(a -> COMPOSE_DEFAULT.matcher(a).replaceAll("$1")).toList();
  }

  private static CommandLine.ParseResult parse(List<String> entrypoint, List<String> args) {
    List<String> all = new ArrayList<>(entrypoint.subList(1, entrypoint.size()));
    all.addAll(args);
    // Throws on an unknown subcommand or option, or a value of the wrong type.
    return Tcpscope.commandLine().parseArgs(all.toArray(String[]::new));
  }

  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode e = service.path("environment");
    if (e.isObject()) {
      e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
    } else {
      e.forEach(item -> {
        String[] kv = item.asText().split("=", 2);
        env.put(kv[0], kv.length > 1 ? kv[1] : "");
      });
    }
    return env;
  }

  /** Mount target to named volume. */
  private static Map<String, String> mounts(JsonNode service) {
    Map<String, String> mounts = new LinkedHashMap<>();
    service.path("volumes").forEach(v -> {
      String[] parts = v.asText().split(":");
      mounts.put(parts[1], parts[0]);
    });
    return mounts;
  }

  /** Host port to container port, for "ADDRESS:HOST:CONTAINER" mappings. */
  private static Map<Integer, Integer> publishedPorts(JsonNode service) {
    Map<Integer, Integer> ports = new LinkedHashMap<>();
    for (String p : strings(service.path("ports"))) {
      String[] parts = p.split(":");
      ports.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1]));
    }
    return ports;
  }

  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(n -> out.add(n.asText()));
    } else if (!node.isMissingNode() && !node.isNull()) {
      out.add(node.asText());
    }
    return out;
  }
}
