package dev.tcpscope.cli.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tcpscope.cli.command.ConnectionSpec;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.format.JsonLines;
import dev.tcpscope.session.topology.OpenSessions;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /sessions[?connection=A:P-B:P]}: the sessions open now, as JSON lines, from every
 * processor instance: this one answers for its own tasks and asks the others (by their
 * {@code application.server}) with {@code scope=local}. With a connection, only the instance
 * holding it is asked.
 */
public final class OpenSessionsHandler implements HttpHandler {
  private final Supplier<OpenSessions> sessions;
  private final String self;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param self this instance's {@code application.server} (host:port)
   */
  public OpenSessionsHandler(Supplier<OpenSessions> sessions, String self) {
    this.sessions = sessions;
    this.self = self;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        MetricsEndpoint.respond(exchange, 405, "text/plain; charset=utf-8", "GET only\n");
        return;
      }
      Map<String, String> query = query(exchange.getRequestURI());
      String connection = query.get("connection");
      byte[] key;
      try {
        key = connection == null ? null : ConnectionSpec.parse(connection).kafkaKey();
      } catch (IllegalArgumentException e) {
        MetricsEndpoint.respond(exchange, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
        return;
      }
      StringBuilder body = new StringBuilder();
      try {
        OpenSessions open = sessions.get();
        if ("local".equals(query.get("scope"))) {
          append(body, open.local(key));
        } else {
          List<HostInfo> hosts = key == null ? open.instances() : List.of(open.holderOf(key));
          for (HostInfo host : hosts) {
            if ((host.host() + ":" + host.port()).equals(self) || host.port() < 0) {
              append(body, open.local(key));
            } else {
              body.append(ask(host, connection));
            }
          }
        }
      } catch (InvalidStateStoreException e) {
        MetricsEndpoint.respond(exchange, 503, "text/plain; charset=utf-8",
            "the session store is not queryable now (" + e.getMessage()
                + "); the processor may be starting or rebalancing: try again\n");
        return;
      } catch (IOException | InterruptedException e) {
        MetricsEndpoint.respond(exchange, 502, "text/plain; charset=utf-8",
            "another processor instance did not answer: " + e.getMessage() + "\n");
        return;
      }
      MetricsEndpoint.respond(exchange, 200, "application/x-ndjson; charset=utf-8",
          body.toString());
    }
  }

  private static void append(StringBuilder body, List<SessionReport> reports) {
    for (SessionReport r : reports) {
      body.append(JsonLines.format(r)).append('\n');
    }
  }

  private String ask(HostInfo host, String connection) throws IOException, InterruptedException {
    String uri = "http://" + host.host() + ":" + host.port() + "/sessions?scope=local"
        + (connection == null ? ""
            : "&connection=" + URLEncoder.encode(connection, StandardCharsets.UTF_8));
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(host + " answered " + response.statusCode() + ": "
          + response.body().strip());
    }
    return response.body();
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> values = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
  }
}
