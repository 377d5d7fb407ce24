package dev.tcpscope.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The page server over real HTTP, with fixed data behind it. */
class WebServerTest {
  private final List<EventStream> open = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private WebServer server;
  private String base;

  private final PageData data = new PageData() {
    @Override
    public EventStream connect() {
      EventStream s = new EventStream(List.of(EventStream.frame("reset", "{}"),
          EventStream.frame("session", "{\"session_id\":1}")));
      open.add(s);
      return s;
    }

    @Override
    public void disconnect(EventStream stream) {
      open.remove(stream);
    }

    @Override
    public String sessionsJson() {
      return "[{\"session_id\":1}]";
    }

    @Override
    public String hotspotsJson() {
      return "{\"rows\":[]}";
    }

    @Override
    public String agentsJson() {
      return "{\"agents\":[]}";
    }
  };

  @BeforeEach
  void start() throws Exception {
    server = WebServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), data);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageWhoseFilesAllComeFromThisServer() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .startsWith("default-src 'self'");
    Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
    int n = 0;
    while (refs.find()) {
      String ref = refs.group(1);
      assertThat(ref).as("no CDN, no absolute address").doesNotContain("//").doesNotStartWith("/");
      assertThat(get("/" + ref).statusCode()).as(ref).isEqualTo(200);
      n++;
    }
    assertThat(n).isGreaterThanOrEqualTo(3);
    for (String script : List.of("/app.js", "/ladder.js")) {
      HttpResponse<String> js = get(script);
      assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
      // the SVG namespace is a name, not an address the page loads from
      assertThat(js.body().replace("'http://www.w3.org/2000/svg'", ""))
          .doesNotContain("http://").doesNotContain("https://");
    }
  }

  @Test
  void unknownPathsAreNotFoundAndWritesAreRefused() throws Exception {
    assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
    assertThat(get("/etc/passwd").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void apiSnapshotsAreJson() throws Exception {
    HttpResponse<String> sessions = get("/api/sessions");
    assertThat(sessions.headers().firstValue("Content-Type"))
        .hasValue("application/json; charset=utf-8");
    assertThat(sessions.body()).isEqualTo("[{\"session_id\":1}]");
    assertThat(get("/api/hotspots").body()).isEqualTo("{\"rows\":[]}");
    assertThat(get("/api/agents").body()).isEqualTo("{\"agents\":[]}");
  }

  @Test
  void theEventStreamSendsTheSnapshotThenLiveFramesAndEndsWhenClosed() throws Exception {
    HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(URI.create(base + "/events"))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(events.headers().firstValue("Content-Type"))
        .hasValue("text/event-stream; charset=utf-8");
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      assertThat(in.readLine()).isEqualTo("retry: 2000");
      assertThat(in.readLine()).isEmpty();
      assertThat(in.readLine()).isEqualTo("event: reset");
      assertThat(in.readLine()).isEqualTo("data: {}");
      assertThat(in.readLine()).isEmpty();
      assertThat(in.readLine()).isEqualTo("event: session");
      assertThat(in.readLine()).isEqualTo("data: {\"session_id\":1}");
      assertThat(in.readLine()).isEmpty();
      assertThat(open).hasSize(1);
      open.get(0).offer(EventStream.frame("agents", "{\"agents\":[]}"));
      assertThat(in.readLine()).isEqualTo("event: agents");
      assertThat(in.readLine()).isEqualTo("data: {\"agents\":[]}");
      assertThat(in.readLine()).isEmpty();
      open.get(0).close();
      assertThat(in.readLine()).isNull();
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(open::isEmpty);
  }

  @Test
  void aPortInUseSaysSoAndWhatToDo() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), data))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + server.port())
        .hasMessageContaining("choose another port");
  }

  @Test
  void aPageThatStopsReadingIsCutOffInsteadOfHoldingMemory() {
    EventStream stream = new EventStream(List.of());
    for (int i = 0; i < EventStream.CAPACITY; i++) {
      assertThat(stream.offer("frame")).isTrue();
    }
    assertThat(stream.offer("one too many")).isFalse();
    assertThat(stream.isClosed()).isTrue();
  }
}
