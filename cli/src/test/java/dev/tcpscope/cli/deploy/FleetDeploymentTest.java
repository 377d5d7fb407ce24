package dev.tcpscope.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpscope.cli.Tcpscope;
import dev.tcpscope.cli.command.KafkaOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The files for agents on a fleet, checked against the code: the systemd unit (parsed, its
 * command line parsed by picocli, its configuration file accepted by the agent, and {@code
 * systemd-analyze verify}), the agents' DaemonSet and the processors' Deployment.
 */
class FleetDeploymentTest {
  private static final String UNIT = "deploy/systemd/tcpscope-agent.service";
  private static final String LAUNCHER = "/opt/tcpscope/bin/tcpscope";
  private static final Pattern UNIT_VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

  // --- systemd ---

  @Test
  void theUnitRunsTheAgentAsAnOrdinaryUserWithOnlyTheCaptureCapabilities() throws IOException {
    Map<String, List<String>> service = unit().get("Service");
    assertThat(service.get("User")).singleElement().isNotIn("root", "0");
    assertThat(words(service.get("AmbientCapabilities")))
        .containsExactlyInAnyOrder("CAP_NET_RAW", "CAP_NET_ADMIN");
    assertThat(words(service.get("CapabilityBoundingSet")))
        .containsExactlyInAnyOrder("CAP_NET_RAW", "CAP_NET_ADMIN");
    assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
    assertThat(service.get("Restart")).containsExactly("on-failure");
    assertThat(unit().get("Install").get("WantedBy")).containsExactly("multi-user.target");
    String sysusers = Files.readString(Repository.file("deploy/systemd/tcpscope.sysusers"));
    assertThat(sysusers).containsPattern("(?m)^u " + service.get("User").get(0) + " ");
  }

  @Test
  void theUnitsCommandLineIsARealAgentInvocationReadingAgentProperties(@TempDir Path dir)
      throws Exception {
    Map<String, List<String>> service = unit().get("Service");
    Map<String, String> env = new LinkedHashMap<>();
    for (String assignment : service.getOrDefault("Environment", List.of())) {
      String[] kv = assignment.split("=", 2);
      env.put(kv[0], kv[1]);
    }
    List<String> exec = List.of(service.get("ExecStart").get(0).split("\\s+"));
    assertThat(exec.get(0)).isEqualTo(LAUNCHER);
    int config = exec.indexOf("--kafka-config");
    assertThat(exec.get(config + 1)).isEqualTo("/etc/tcpscope/agent.properties");

    // Every variable the unit sets is read by the agent, or used on its own command line.
    CommandEnvironment reads = CommandEnvironment.of("agent", Repository.ROOT);
    String commandLine = String.join(" ", exec);
    assertThat(env.keySet()).allSatisfy(name -> assertThat(reads.reads(name)
        || commandLine.contains("${" + name + "}")).as(name).isTrue());

    // The example configuration is all the agent needs to find its brokers.
    Path properties = dir.resolve("agent.properties");
    Files.copy(Repository.file("deploy/systemd/agent.properties.example"), properties);
    List<String> args = new ArrayList<>();
    for (String word : exec.subList(1, exec.size())) {
      Matcher m = UNIT_VARIABLE.matcher(word);
      args.add(m.replaceAll(r -> env.getOrDefault(r.group(1), "")));
    }
    args.set(config, properties.toString());
    CommandLine.ParseResult parsed = Tcpscope.commandLine().parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("agent");
    assertThat(parsed.subcommand().matchedOptionValue("-i", "")).isEqualTo("any");
    Object agent = parsed.subcommand().commandSpec().userObject();
    var field = agent.getClass().getDeclaredField("kafka");
    field.setAccessible(true);
    assertThat(((KafkaOptions) field.get(agent)).requireBootstrapServer())
        .startsWith("kafka-1.example.net:9092");
  }

  @Test
  void systemdAnalyzeVerifyFindsNothingWrongWithTheUnit(@TempDir Path dir) throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed (apt-get install"
        + " systemd); .ci/run installs it, so CI verifies the unit");
    // verify checks that ExecStart's program exists: point it at this checkout's launcher,
    // the very script that is installed as /opt/tcpscope/bin/tcpscope.
    String text = Files.readString(Repository.file(UNIT)).replace(LAUNCHER,
        Repository.ROOT.resolve("bin/tcpscope").toString());
    Path copy = dir.resolve("tcpscope-agent.service");
    Files.writeString(copy, text);
    Process p = new ProcessBuilder(analyze.toString(), "verify", copy.toString())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("systemd-analyze finished").isTrue();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // Unknown keys and bad values are only warnings (exit 0): any line about the unit fails.
    assertThat(output.lines().filter(l -> l.contains("tcpscope-agent"))).as(output).isEmpty();
    assertThat(p.exitValue()).as(output).isZero();
  }

  // --- Kubernetes ---

  @Test
  void theAgentDaemonSetCapturesOnTheNodesNetworkWithTwoCapabilitiesAndBoundedResources()
      throws Exception {
    JsonNode daemonSet = single("deploy/kubernetes/agent-daemonset.yaml", "DaemonSet");
    JsonNode pod = daemonSet.path("spec").path("template").path("spec");
    assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
    assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    JsonNode container = pod.path("containers").get(0);
    JsonNode security = container.path("securityContext");
    assertThat(DockerComposeTest.strings(security.path("capabilities").path("add")))
        .containsExactlyInAnyOrder("NET_RAW", "NET_ADMIN");
    assertThat(DockerComposeTest.strings(security.path("capabilities").path("drop")))
        .containsExactly("ALL");
    assertThat(security.path("privileged").asBoolean(false)).isFalse();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertLimited(container);
    int port = checkContainer(container, "agent", "deploy/docker/agent/Dockerfile",
        "--metrics-port");
    assertThat(container.path("livenessProbe").path("httpGet").path("port").asInt()).isEqualTo(port);
  }

  @Test
  void theProcessorDeploymentRunsNonRootAndItsServiceReachesTheHttpPort() throws Exception {
    List<JsonNode> docs = Repository.yamlDocuments("deploy/kubernetes/processor-deployment.yaml");
    JsonNode deployment = single("deploy/kubernetes/processor-deployment.yaml", "Deployment");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    // runAsNonRoot needs a numeric user: the one the image creates.
    String uid = pod.path("securityContext").path("runAsUser").asText();
    Dockerfile dockerfile = new Dockerfile(Repository.file("deploy/docker/processor/Dockerfile"));
    assertThat(dockerfile.all("RUN")).anyMatch(r -> r.contains("useradd") && r.contains("--uid " + uid));
    JsonNode container = pod.path("containers").get(0);
    assertLimited(container);
    int port = checkContainer(container, "processor", "deploy/docker/processor/Dockerfile",
        "--http-port");
    assertThat(container.path("readinessProbe").path("httpGet").path("port").asInt()).isEqualTo(port);
    JsonNode state = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      if (mount.path("mountPath").asText().equals(env(container).get("TCPSCOPE_STATE_DIR"))) {
        state = mount;
      }
    }
    assertThat(state).as("the state directory is a volume").isNotNull();
    JsonNode service = docs.stream().filter(d -> d.path("kind").asText().equals("Service"))
        .findFirst().orElseThrow();
    assertThat(service.path("spec").path("selector"))
        .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(port);
  }

  /** Checks image, arguments and environment; returns the port the program listens on. */
  private static int checkContainer(JsonNode container, String subcommand, String dockerfilePath,
      String portOption) throws Exception {
    JsonNode compose = Repository.yaml("docker-compose.yml").path("services");
    String image = container.path("image").asText();
    assertThat(image).as("the image docker compose builds from " + dockerfilePath)
        .isEqualTo(compose.path(subcommand).path("image").asText());
    assertThat(compose.path(subcommand).path("build").path("dockerfile").asText())
        .isEqualTo(dockerfilePath);
    Dockerfile dockerfile = new Dockerfile(Repository.file(dockerfilePath));
    List<String> all = new ArrayList<>(dockerfile.execForm("ENTRYPOINT"));
    all.remove(0);
    all.addAll(DockerComposeTest.strings(container.path("args")));
    CommandLine.ParseResult parsed = Tcpscope.commandLine().parseArgs(all.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo(subcommand);

    CommandEnvironment reads = CommandEnvironment.of(subcommand, Repository.ROOT);
    Map<String, String> env = new LinkedHashMap<>(dockerfile.environment());
    env.putAll(env(container));
    assertThat(env.keySet()).allSatisfy(name -> assertThat(reads.reads(name))
        .as("%s sets %s, which 'tcpscope %s' does not read", container.path("name").asText(),
            name, subcommand).isTrue());
    int port = Integer.parseInt(reads.effectiveValue(portOption, parsed, env));
    assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(port);
    return port;
  }

  private static void assertLimited(JsonNode container) {
    for (String kind : List.of("requests", "limits")) {
      JsonNode r = container.path("resources").path(kind);
      assertThat(r.has("cpu") && r.has("memory")).as(kind).isTrue();
    }
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(),
        e.has("value") ? e.path("value").asText() : "(from " + e.path("valueFrom") + ")"));
    return env;
  }

  private static JsonNode single(String file, String kind) throws IOException {
    List<JsonNode> found = Repository.yamlDocuments(file).stream()
        .filter(d -> d.path("kind").asText().equals(kind)).toList();
    assertThat(found).as(kind + " in " + file).hasSize(1);
    JsonNode doc = found.get(0);
    assertThat(doc.path("metadata").path("namespace").asText()).isEqualTo(
        Repository.yamlDocuments("deploy/kubernetes/namespace.yaml").get(0)
            .path("metadata").path("name").asText());
    return doc;
  }

  /** The unit file: section to key to values (a key may repeat), continuation lines joined. */
  static Map<String, Map<String, List<String>>> unit() throws IOException {
    Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    for (String raw : Files.readAllLines(Repository.file(UNIT))) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = sections.computeIfAbsent(line.substring(1, line.length() - 1),
            s -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      assertThat(current).as("a key outside any section: " + line).isNotNull();
      assertThat(eq).as("not KEY=VALUE: " + line).isPositive();
      current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
          .add(line.substring(eq + 1).strip());
    }
    assertThat(sections).containsKeys("Unit", "Service", "Install");
    return sections;
  }

  private static List<String> words(List<String> values) {
    assertThat(values).as("set").isNotNull();
    return values.stream().flatMap(v -> List.of(v.split("\\s+")).stream()).toList();
  }
}
