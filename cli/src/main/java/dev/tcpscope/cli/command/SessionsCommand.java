package dev.tcpscope.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sessions}: the sessions open now, from the processors' state stores through Kafka
 * Streams interactive queries: any one processor's HTTP port answers for all of them.
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
    description = "List the sessions the processors hold now (state, age, counters), whichever"
        + " instance holds them.")
public final class SessionsCommand implements Callable<Integer> {
  @Option(names = "--processor", paramLabel = "HOST:PORT",
      defaultValue = "${env:TCPSCOPE_PROCESSOR:-localhost:8081}",
      description = "A processor's --http-port (default ${DEFAULT-VALUE}).")
  String processor;

  @Option(names = "--connection", paramLabel = "A:P-B:P",
      description = "Only this connection (either side first; IPv6 in brackets).")
  String connection;

  @Option(names = "--format", defaultValue = "text",
      description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  OutputOptions.Format format;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

  @Override
  public Integer call() throws Exception {
    if (connection != null) {
      ConnectionSpec.parse(connection); // a wrong one is refused here, with what is accepted
    }
    String uri = "http://" + processor + "/sessions" + (connection == null ? ""
        : "?connection=" + URLEncoder.encode(connection, StandardCharsets.UTF_8));
    HttpResponse<String> response;
    try {
      response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri))
          .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IOException("no processor answers at " + processor + " (start one with"
          + " --http-port, or give --processor HOST:PORT)", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(processor + " answered " + response.statusCode() + ": "
          + response.body().strip());
    }
    PrintStream out = System.out;
    if (format == OutputOptions.Format.jsonl) {
      out.print(response.body());
      return 0;
    }
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> sessions = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (!line.isBlank()) {
        sessions.add(json.readTree(line));
      }
    }
    out.println(table(sessions));
    return 0;
  }

  static String table(List<JsonNode> sessions) {
    StringBuilder t = new StringBuilder();
    t.append(String.format(Locale.ROOT, "%-16s %-45s %-12s %-12s %-12s %9s %8s %10s  %s%n",
        "OBSERVER", "CLIENT == SERVER", "CLIENT", "SERVER", "SINCE", "AGE_S", "SEGMENTS",
        "BYTES", "REASONS / ZEEK"));
    for (JsonNode s : sessions) {
      long start = s.get("start_us").asLong();
      long end = s.get("end_us").asLong();
      List<String> reasons = new ArrayList<>();
      s.get("reasons").forEach(r -> reasons.add(r.asText()));
      t.append(String.format(Locale.ROOT, "%-16s %-45s %-12s %-12s %-12s %9.3f %8d %10d  %s%n",
          s.get("observer").asText(),
          s.get("client_ip").asText() + ":" + s.get("client_port").asInt() + " == "
              + s.get("server_ip").asText() + ":" + s.get("server_port").asInt(),
          s.get("client_state").asText(), s.get("server_state").asText(),
          TIME.format(Instant.ofEpochMilli(start / 1000)), (end - start) / 1e6,
          s.get("segments").asLong(), s.get("bytes").asLong(),
          (reasons.isEmpty() ? "" : String.join(",", reasons) + " ")
              + s.get("conn_state").asText() + " " + s.get("history").asText()
              + ("open".equals(s.get("ended_by").asText()) ? ""
                  : " (ended: " + s.get("ended_by").asText() + ")")));
    }
    t.append(sessions.size()).append(sessions.size() == 1 ? " session" : " sessions");
    return t.toString();
  }
}
