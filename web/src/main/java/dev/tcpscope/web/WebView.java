package dev.tcpscope.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import dev.tcpscope.schemas.v1.Hotspot;
import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.web.board.AgentBoard;
import dev.tcpscope.web.board.HotspotBoard;
import dev.tcpscope.web.board.RecentSessions;
import dev.tcpscope.web.feed.TopicTail;
import dev.tcpscope.web.http.EventStream;
import dev.tcpscope.web.http.PageData;
import dev.tcpscope.web.http.WebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The operator's web view: follows the anomaly, hotspot and heartbeat topics into its boards
 * and serves one page that shows them live. Every change is pushed to the open pages as a
 * server-sent event: {@code session} (one JSON-lines object), {@code hotspots} and {@code
 * agents} (the whole table; agents once a second, as their ages move on). A page's stream
 * starts with {@code reset} and a snapshot of all that is kept.
 */
public final class WebView implements AutoCloseable, PageData, TopicTail.Sink {
  /** Pages served at once; each holds a server thread while open. */
  static final int MAX_PAGES = 64;
  private static final long AGENTS_EVERY_MS = 1_000;

  private final ObjectMapper json = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  private final RecentSessions sessions;
  private final HotspotBoard hotspots = new HotspotBoard();
  private final AgentBoard agents;
  private final LongSupplier clockMs;
  private final Set<EventStream> pages = new HashSet<>();
  private final TopicTail tail;
  private WebServer server;
  private boolean hotspotsChanged;
  private long agentsSentAtMs;

  /** What the view needs besides the Kafka client settings. */
  public record Settings(InetSocketAddress address, int history, Duration staleAfter) {
    public Settings {
      if (history < 1) {
        throw new IllegalArgumentException("--history must be at least 1, not " + history);
      }
    }
  }

  private WebView(Properties clientSettings, Settings settings, LongSupplier clockMs) {
    this.sessions = new RecentSessions(settings.history());
    this.agents = new AgentBoard(settings.staleAfter());
    this.clockMs = clockMs;
    this.tail = new TopicTail(clientSettings, TopicTail.defaultBacklog(settings.history()), this);
  }

  /** Starts following the topics and serving the page. */
  public static WebView start(Properties clientSettings, Settings settings) throws IOException {
    WebView view = new WebView(clientSettings, settings, System::currentTimeMillis);
    try {
      view.server = WebServer.start(settings.address(), view);
    } catch (IOException | RuntimeException e) {
      view.tail.close();
      throw e;
    }
    view.tail.start();
    return view;
  }

  /** The port the page is served on. */
  public int port() {
    return server.port();
  }

  /** Partitions of the three topics being followed: 0 while none of them exists yet. */
  public int followedPartitions() {
    return tail.followedPartitions();
  }

  /** Why following the topics stopped, or null while it runs. */
  public Throwable failure() {
    return tail.failure();
  }

  // ---- from the topics (the tail's thread) ----

  @Override
  public synchronized void session(SessionReport report) {
    String object = sessions.add(report);
    if (object != null) {
      broadcast(EventStream.frame("session", object));
    }
  }

  @Override
  public synchronized void hotspot(String key, Hotspot hotspot) {
    hotspots.add(key, hotspot);
    hotspotsChanged = true;
  }

  @Override
  public synchronized void heartbeat(AgentHeartbeat heartbeat) {
    agents.add(heartbeat);
  }

  @Override
  public synchronized void polled() {
    if (hotspotsChanged) {
      hotspotsChanged = false;
      broadcast(EventStream.frame("hotspots", hotspotsJson()));
    }
    long now = clockMs.getAsLong();
    if (now - agentsSentAtMs >= AGENTS_EVERY_MS) {
      agentsSentAtMs = now;
      broadcast(EventStream.frame("agents", agentsJson()));
    }
  }

  private void broadcast(String frame) {
    pages.removeIf(page -> !page.offer(frame));
  }

  // ---- to the pages (the server's threads) ----

  @Override
  public synchronized EventStream connect() {
    if (pages.size() >= MAX_PAGES) {
      return null;
    }
    List<String> snapshot = new ArrayList<>(sessions.size() + 3);
    snapshot.add(EventStream.frame("reset", "{}"));
    for (String object : sessions.snapshot()) {
      snapshot.add(EventStream.frame("session", object));
    }
    snapshot.add(EventStream.frame("hotspots", hotspotsJson()));
    snapshot.add(EventStream.frame("agents", agentsJson()));
    EventStream page = new EventStream(snapshot);
    pages.add(page);
    return page;
  }

  @Override
  public synchronized void disconnect(EventStream page) {
    pages.remove(page);
  }

  @Override
  public synchronized String sessionsJson() {
    return "[" + String.join(",", sessions.snapshot()) + "]";
  }

  @Override
  public synchronized String hotspotsJson() {
    return write(hotspots.view());
  }

  @Override
  public synchronized String agentsJson() {
    return write(agents.view(clockMs.getAsLong()));
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    tail.close();
    synchronized (this) {
      pages.forEach(EventStream::close);
      pages.clear();
    }
    if (server != null) {
      server.close();
    }
  }
}
