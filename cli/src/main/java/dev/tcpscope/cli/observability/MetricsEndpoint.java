package dev.tcpscope.cli.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * A Prometheus scrape endpoint ({@code /metrics}) and a health check ({@code /health}: 200
 * while the program does its work, 503 otherwise) on the JDK's own HTTP server: nothing to add
 * to an agent that must stay small. The processor adds its interactive queries beside them.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code port} of every address (0 picks a free port).
   *
   * @throws IOException naming the port when it is taken
   */
  public static MetricsEndpoint start(int port, PrometheusMeterRegistry registry,
      BooleanSupplier healthy) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new IOException("port " + port + ": cannot listen (" + e.getMessage()
          + "); pick another port", e);
    }
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/health", exchange -> {
      boolean up = healthy.getAsBoolean();
      respond(exchange, up ? 200 : 503, "text/plain; charset=utf-8", up ? "UP\n" : "DOWN\n");
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tcpscope-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new MetricsEndpoint(server);
  }

  /** Serves {@code path} too (a prefix, as the JDK's server matches contexts). */
  public void addContext(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Sends a whole response body. */
  public static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
