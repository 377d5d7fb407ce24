package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpscope.cli.demo.DemoCapture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web view in a real browser: {@code bin/tcpscope demo --web 0} in its own process (an
 * embedded broker, the agent replaying the demo capture, the processor with its hotspot
 * aggregation, and the page server), driven by Debian's headless Chromium through its
 * chromedriver. What the page must show comes from {@code analyze} on the same capture, the
 * offline path through the same engine. A screenshot is left in {@code target/web-view.png}.
 */
class WebViewBrowserIT {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();
  private static final Path CHROMIUM =
      Path.of(System.getProperty("tcpscope.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("tcpscope.chromedriver", "/usr/bin/chromedriver"));
  private static final Pattern URL = Pattern.compile("web view on (http://127\\.0\\.0\\.1:\\d+/)");
  /** miruo's red on the page: the flagged segment. */
  private static final String RED = "rgb(224, 108, 117)";

  @TempDir Path temp;

  private static WebDriver chromium(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // What this closed network needs: no background connections to Google's services.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--window-size=1500,1150",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  private static String key(JsonNode s) {
    return s.get("observer").asText() + "/" + s.get("session_id").asLong() + "/"
        + s.get("end_us").asLong();
  }

  private static String endpoint(JsonNode s) {
    return s.get("server_ip").asText() + ":" + s.get("server_port").asInt();
  }

  private static void screenshot(WebDriver browser, String name) throws IOException {
    Path file = Path.of("target", name);
    Files.createDirectories(file.getParent());
    Files.write(file, ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    assertThat(Files.size(file)).isPositive();
  }

  private static List<WebElement> rows(WebDriver d, String table) {
    return d.findElements(By.cssSelector("#" + table + " tbody tr"));
  }

  @Test
  @Timeout(300)
  void demoSessionsArriveLiveTheRstLadderIsDrawnAndTheHotspotCountsIt() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no headless Chromium here (" + CHROMIUM + ", " + CHROMEDRIVER + "): install Debian's"
            + " chromium and chromium-driver, as .ci/run does, to run the browser test");

    // What the page must show: the offline engine's verdict on the same capture.
    Path pcap = temp.resolve("demo.pcap");
    try (OutputStream out = Files.newOutputStream(pcap)) {
      DemoCapture.write(out);
    }
    CommandRun offline = CommandRun.of("analyze", "--format", "jsonl", "--observer", "demo-host",
        pcap.toString());
    assertThat(offline.exitCode()).as(offline.err()).isZero();
    List<JsonNode> expected = AnalyzeCommandTest.jsonLines(offline.out());
    JsonNode abort = expected.stream()
        .filter(s -> s.get("conn_state").asText().equals("RSTR")).findFirst().orElseThrow();
    Matcher segmentsSeen = Pattern.compile("(?m)^Segments\\s*:\\s*(\\d+)").matcher(offline.err());
    assertThat(segmentsSeen.find()).as(offline.err()).isTrue();
    Map<String, Integer> hotspots = new TreeMap<>();
    for (JsonNode s : expected) {
      s.get("reasons").forEach(r -> hotspots.merge(endpoint(s) + " " + r.asText(), 1, Integer::sum));
    }

    Path out = temp.resolve("demo.out");
    Process demo = new ProcessBuilder(HOME.resolve("bin/tcpscope").toString(), "demo", "-C", "0",
        "--web", "0").redirectOutput(out.toFile()).start();
    List<String> err = new CopyOnWriteArrayList<>();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread errReader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(demo.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          err.add(line);
          Matcher m = URL.matcher(line);
          if (m.find()) {
            url.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        url.completeExceptionally(e);
      }
      url.completeExceptionally(new AssertionError("demo ended without a web view: " + err));
    });
    errReader.start();
    WebDriver driver = null;
    try {
      String page = url.get(120, TimeUnit.SECONDS);
      WebDriver browser = chromium(Files.createDirectory(temp.resolve("chromium-profile")));
      driver = browser;
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
      // tables are redrawn as events arrive (agents every second): look elements up afresh
      wait.ignoring(StaleElementReferenceException.class);
      driver.get(page);

      // 1. the live list fills from the anomaly topic
      wait.until(d -> rows(d, "sessions").size() == expected.size());
      assertThat(driver.findElement(By.id("status")).getText()).isEqualTo("live");
      for (JsonNode s : expected) {
        assertThat(driver.findElements(By.cssSelector("#sessions tr[data-key='" + key(s) + "']")))
            .as("row of %s", key(s)).hasSize(1);
      }

      // 2. the RST session's ladder: one arrow per kept segment, the RST in red, the gap marked
      driver.findElement(By.cssSelector("#sessions tr[data-key='" + key(abort) + "']")).click();
      JsonNode shown = abort.get("shown");
      wait.until(d -> d.findElements(By.cssSelector("svg#ladder g.arrow")).size() == shown.size());
      List<WebElement> arrows = driver.findElements(By.cssSelector("svg#ladder g.arrow"));
      int rstArrows = 0;
      int gaps = 0;
      int skipped = 0;
      for (int i = 0; i < shown.size(); i++) {
        JsonNode seg = shown.get(i);
        WebElement arrow = arrows.get(i);
        assertThat(arrow.getAttribute("data-index")).isEqualTo(seg.get("index").asText());
        assertThat(arrow.getAttribute("data-flags")).isEqualTo(seg.get("flags").asText());
        assertThat(arrow.getAttribute("data-mark")).isEqualTo(seg.get("mark").asText());
        assertThat(arrow.getAttribute("data-direction")).isEqualTo(seg.get("direction").asText());
        if (seg.get("flags").asText().contains("R")) {
          rstArrows++;
          assertThat(arrow.getAttribute("data-mark")).isEqualTo("flagged");
          assertThat(arrow.findElement(By.tagName("line")).getCssValue("stroke")).isEqualTo(RED);
        }
        int next = i + 1 < shown.size() ? shown.get(i + 1).get("index").asInt()
            : abort.get("segments").asInt();
        if (next > seg.get("index").asInt() + 1) {
          gaps++;
          skipped += next - seg.get("index").asInt() - 1;
        }
      }
      assertThat(rstArrows).isEqualTo(1);
      List<WebElement> elided = driver.findElements(By.cssSelector("svg#ladder g.elided"));
      assertThat(elided).hasSize(gaps);
      assertThat(elided.stream().mapToInt(e -> Integer.parseInt(e.getAttribute("data-skipped")))
          .sum()).isEqualTo(skipped).isPositive();
      assertThat(elided.get(0).getText()).startsWith("****");
      String head = driver.findElement(By.id("ladder-head")).getText();
      assertThat(head).contains("RST").contains(abort.get("conn_state").asText())
          .contains(abort.get("history").asText());

      // 3. the hotspot table counts it, and every other (server, reason) of the capture
      wait.withMessage(() -> "hotspot table " + rows(browser, "hotspots").stream()
          .map(WebElement::getText).toList() + ", expected " + hotspots)
          .until(d -> {
            Map<String, Integer> table = new TreeMap<>();
            for (WebElement row : rows(d, "hotspots")) {
              table.put(row.getAttribute("data-key"),
                  Integer.parseInt(row.findElement(By.cssSelector("td.sessions")).getText()));
            }
            return table.equals(hotspots);
          });
      assertThat(hotspots).containsEntry(endpoint(abort) + " RST", 1);

      // 4. the agent: finished (end of the capture file), with the segments it decoded
      String agent = "#agents tr[data-observer='demo-host']";
      wait.withMessage(() -> "agents table " + rows(browser, "agents").stream()
          .map(WebElement::getText).toList() + ", expected demo-host finished with "
          + segmentsSeen.group(1) + " segments")
          .until(d -> d.findElements(By.cssSelector(agent + " td.agent-finished")).size() == 1
              && d.findElement(By.cssSelector(agent + " td.segments")).getText()
                  .equals(segmentsSeen.group(1)));
      wait.withMessage(() -> null);

      // 5. filters: port, reason, and a hotspot row sets them
      WebElement port = driver.findElement(By.id("filter-port"));
      port.sendKeys("8443");
      long on8443 = expected.stream().filter(s -> s.get("server_port").asInt() == 8443
          || s.get("client_port").asInt() == 8443).count();
      wait.until(d -> rows(d, "sessions").size() == on8443);
      driver.findElement(By.id("filter-clear")).click();
      new Select(driver.findElement(By.id("filter-reason"))).selectByValue("RETRANSMIT");
      long retransmits = expected.stream()
          .filter(s -> s.get("reasons").toString().contains("\"RETRANSMIT\"")).count();
      wait.until(d -> rows(d, "sessions").size() == retransmits);
      // the filters live in the page's address: a reload keeps them
      driver.navigate().refresh();
      wait.until(d -> rows(d, "sessions").size() == retransmits);
      driver.findElement(By.id("filter-clear")).click();
      wait.until(d -> rows(d, "sessions").size() == expected.size());
      WebElement address = driver.findElement(By.id("filter-address"));
      address.sendKeys("192.0.2.");
      wait.until(d -> rows(d, "sessions").isEmpty());
      assertThat(driver.findElement(By.id("sessions-empty")).getText())
          .isEqualTo("No session matches the filters.");
      address.clear();
      address.sendKeys(abort.get("client_ip").asText());
      new Select(driver.findElement(By.id("filter-observer"))).selectByValue("demo-host");
      wait.until(d -> rows(d, "sessions").size() == expected.size());
      WebElement badPort = driver.findElement(By.id("filter-port"));
      badPort.sendKeys("http");
      assertThat(badPort.getAttribute("class")).contains("invalid");
      assertThat(rows(driver, "sessions")).hasSize(expected.size());
      driver.findElement(By.id("filter-clear")).click();
      wait.until(d -> rows(d, "sessions").size() == expected.size());
      driver.findElement(By.cssSelector("#hotspots tr[data-key='" + endpoint(abort) + " RST']"))
          .click();
      wait.until(d -> rows(d, "sessions").size() == hotspots.get(endpoint(abort) + " RST"));
      assertThat(rows(driver, "sessions").get(0).getAttribute("data-key")).isEqualTo(key(abort));

      // 6. times in UTC: the first arrow at the SYN's time of day
      driver.findElement(By.id("utc")).click();
      String synTime = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").format(Instant.EPOCH
          .plusNanos(shown.get(0).get("ts_us").asLong() * 1000).atOffset(ZoneOffset.UTC));
      wait.until(d -> d.findElement(By.cssSelector("svg#ladder g.arrow text.time")).getText()
          .equals(synTime));

      // nothing came from anywhere but the tcpscope server, and the page logged no error
      @SuppressWarnings("unchecked")
      List<String> loaded = (List<String>) ((JavascriptExecutor) driver).executeScript(
          "return performance.getEntriesByType('resource').map(e => e.name)");
      assertThat(loaded).isNotEmpty().allSatisfy(u -> assertThat(u).startsWith(page));
      List<String> severe = new ArrayList<>();
      for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
        if (entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
          severe.add(entry.getMessage());
        }
      }
      assertThat(severe).isEmpty();

      // for people to look at: every session listed, the RST session's ladder drawn
      driver.findElement(By.id("filter-clear")).click();
      wait.until(d -> rows(d, "sessions").size() == expected.size());
      screenshot(browser, "web-view.png");

      // and the late retransmission: the original in green, the copy in red, the close in blue
      JsonNode late = expected.stream().filter(s -> s.get("reasons").toString()
          .contains("\"RETRANSMIT\"")).findFirst().orElseThrow();
      driver.findElement(By.cssSelector("#sessions tr[data-key='" + key(late) + "']")).click();
      wait.until(d -> d.findElements(By.cssSelector("svg#ladder g.arrow")).size()
          == late.get("shown").size());
      List<String> marks = driver.findElements(By.cssSelector("svg#ladder g.arrow")).stream()
          .map(a -> a.getAttribute("data-mark")).toList();
      List<String> expectedMarks = new ArrayList<>();
      late.get("shown").forEach(seg -> expectedMarks.add(seg.get("mark").asText()));
      assertThat(marks).isEqualTo(expectedMarks).contains("original", "flagged", "closed");
      screenshot(browser, "web-view-retransmit.png");
    } finally {
      if (driver != null) {
        driver.quit();
      }
      // SIGTERM, as Ctrl-C on a terminal; through the handle, so its output is still read
      demo.toHandle().destroy();
      if (!demo.waitFor(90, TimeUnit.SECONDS)) {
        demo.destroyForcibly();
      }
      errReader.join(10_000);
    }
    assertThat(demo.exitValue()).as(String.join("\n", err)).isZero();
    assertThat(err).anyMatch(l -> l.contains("the web view stays on"))
        .anyMatch(l -> l.contains("stopping"))
        .anyMatch(l -> l.contains(expected.size() + " suspicious sessions read from the anomaly topic"))
        .noneMatch(l -> l.contains("Exception"));
    assertThat(Files.readString(out)).contains("CLOSED <-A-R--< CLOSED");
  }
}
