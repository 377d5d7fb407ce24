package dev.tcpscope.cli.command;

import dev.tcpscope.web.WebView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code web}: the operator's page for a cluster: live suspicious sessions with filters, a
 * ladder per session, hotspots and agents, from the anomaly, hotspot and heartbeat topics.
 */
@Command(name = "web", mixinStandardHelpOptions = true,
    description = "Serve the operator's web view: live suspicious sessions, a ladder diagram per"
        + " session, hotspots and agents.")
public final class WebCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:TCPSCOPE_WEB_PORT:-8080}",
      description = "Port to serve the page on (default ${DEFAULT-VALUE}, env TCPSCOPE_WEB_PORT; 0"
          + " for any free port).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDRESS",
      defaultValue = "${env:TCPSCOPE_WEB_BIND:-127.0.0.1}",
      description = "Address to listen on (default ${DEFAULT-VALUE}: this host only; 0.0.0.0"
          + " for every interface; env TCPSCOPE_WEB_BIND).")
  String bind;

  @Option(names = "--history", paramLabel = "N", defaultValue = "1000",
      description = "Sessions kept for the page, read back from each partition of the anomaly"
          + " topic at start (default ${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--stale-after", paramLabel = "SECONDS", defaultValue = "5",
      description = "An agent without a heartbeat for longer is marked stale (default"
          + " ${DEFAULT-VALUE}; agents send one every second).")
  int staleAfter;

  static void checkPort(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + " takes a port from 0 to 65535 (0: any free"
          + " port), not " + port);
    }
  }

  @Override
  public Integer call() throws Exception {
    String bootstrap = kafka.requireBootstrapServer();
    checkPort("--port", port);
    if (staleAfter < 1) {
      throw new IllegalArgumentException("--stale-after takes a number of seconds of at least 1,"
          + " not " + staleAfter);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--bind: no such address or host name: " + bind);
    }
    try (WebView view = WebView.start(kafka.clientSettings(System.getenv()), new WebView.Settings(
        new InetSocketAddress(address, port), history, Duration.ofSeconds(staleAfter)))) {
      String host = address.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostName()
          : address.getHostAddress().indexOf(':') >= 0 ? "[" + address.getHostAddress() + "]"
          : address.getHostAddress();
      System.err.println("tcpscope web: serving http://" + host + ":" + view.port()
          + "/ (Ctrl-C to stop)");
      long started = System.nanoTime();
      boolean[] warned = {false};
      boolean signalled = StopSignal.await(Duration.ofSeconds(1), () -> {
        if (!warned[0] && view.followedPartitions() == 0
            && System.nanoTime() - started > Duration.ofSeconds(30).toNanos()) {
          warned[0] = true;
          System.err.println("tcpscope web: none of tcpscope's topics found on " + bootstrap
              + " yet (is the processor running?); still looking");
        }
        return view.failure() == null;
      });
      if (!signalled) {
        System.err.println("tcpscope web: stopped reading the topics: " + view.failure());
        return 2;
      }
      System.err.println("tcpscope web: stopping");
    }
    return 0;
  }
}
