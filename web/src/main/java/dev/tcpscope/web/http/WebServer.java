package dev.tcpscope.web.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The page server, on the JDK's own HTTP server (no dependency; a handful of requests and a
 * few long-lived event streams do not need more): the page's files from the class path, the
 * live event stream at {@code /events}, and JSON snapshots under {@code /api/} for scripts.
 * Each open event stream holds one thread of the server's pool while it is open.
 */
public final class WebServer implements AutoCloseable {
  /** The page's files: a fixed list, so no request path ever reaches the file system. */
  private static final Map<String, String> FILES = Map.of(
      "/index.html", "text/html; charset=utf-8",
      "/app.js", "text/javascript; charset=utf-8",
      "/ladder.js", "text/javascript; charset=utf-8",
      "/style.css", "text/css; charset=utf-8",
      "/favicon.svg", "image/svg+xml");
  private static final String RESOURCES = "/dev/tcpscope/web/static";
  private static final long KEEPALIVE_MS = 15_000;

  private final HttpServer server;
  private final ExecutorService threads;
  private final PageData data;

  private WebServer(HttpServer server, ExecutorService threads, PageData data) {
    this.server = server;
    this.threads = threads;
    this.data = data;
  }

  /** Binds and starts serving; port 0 picks a free port ({@link #port()} tells which). */
  public static WebServer start(InetSocketAddress address, PageData data) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (java.net.BindException e) {
      String host = address.getAddress() != null ? address.getAddress().getHostAddress()
          : address.getHostString();
      throw new IOException("cannot listen on " + host + ":" + address.getPort() + " ("
          + e.getMessage() + "); choose another port", e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "tcpscope-web-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    WebServer web = new WebServer(server, threads, data);
    server.createContext("/", web::files);
    server.createContext("/events", web::events);
    server.createContext("/api/sessions", e -> web.json(e, data::sessionsJson));
    server.createContext("/api/hotspots", e -> web.json(e, data::hotspotsJson));
    server.createContext("/api/agents", e -> web.json(e, data::agentsJson));
    server.start();
    return web;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static boolean readOnly(HttpExchange e) throws IOException {
    String method = e.getRequestMethod();
    if (method.equals("GET") || method.equals("HEAD")) {
      return true;
    }
    e.getResponseHeaders().add("Allow", "GET, HEAD");
    send(e, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
    return false;
  }

  private static void common(Headers h, String type) {
    h.set("Content-Type", type);
    h.set("Cache-Control", "no-cache");
    h.set("X-Content-Type-Options", "nosniff");
    // Everything the page uses comes from this server: no CDN, no inline script.
    h.set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
        + "frame-ancestors 'none'");
  }

  private static void send(HttpExchange e, int status, String type, byte[] body) throws IOException {
    try {
      common(e.getResponseHeaders(), type);
      boolean head = e.getRequestMethod().equals("HEAD");
      e.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
      if (!head && body.length > 0) {
        try (OutputStream out = e.getResponseBody()) {
          out.write(body);
        }
      }
    } finally {
      e.close();
    }
  }

  private void files(HttpExchange e) throws IOException {
    if (!readOnly(e)) {
      return;
    }
    String path = e.getRequestURI().getPath();
    if (path.equals("/")) {
      path = "/index.html";
    }
    String type = FILES.get(path);
    if (type == null) {
      send(e, 404, "text/plain; charset=utf-8",
          ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    byte[] body;
    try (InputStream in = WebServer.class.getResourceAsStream(RESOURCES + path)) {
      if (in == null) {
        throw new IOException("the page's file " + path + " is missing from the class path");
      }
      body = in.readAllBytes();
    }
    send(e, 200, type, body);
  }

  private void json(HttpExchange e, Supplier<String> body) throws IOException {
    if (readOnly(e)) {
      send(e, 200, "application/json; charset=utf-8", body.get().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Server-sent events: the snapshot, then live frames, and a comment when idle to find closed pages. */
  private void events(HttpExchange e) throws IOException {
    if (!readOnly(e)) {
      return;
    }
    EventStream stream = data.connect();
    if (stream == null) {
      e.getResponseHeaders().set("Retry-After", "10");
      send(e, 503, "text/plain; charset=utf-8",
          "too many pages open on this server\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try {
      common(e.getResponseHeaders(), "text/event-stream; charset=utf-8");
      e.sendResponseHeaders(200, 0);
      OutputStream out = e.getResponseBody();
      // the browser retries after 2 s when the server goes away
      out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      while (true) {
        String frame = stream.next(KEEPALIVE_MS);
        if (EventStream.isEnd(frame)) {
          break;
        }
        out.write((frame == null ? ": keep-alive\n\n" : frame).getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException | UncheckedIOException closedByPage) {
      // the page went away
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
    } finally {
      stream.close();
      data.disconnect(stream);
      e.close();
    }
  }

  /** Stops at once: open event streams end (their pages reconnect to whoever serves next). */
  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
