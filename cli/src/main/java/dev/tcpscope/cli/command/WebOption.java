package dev.tcpscope.cli.command;

import dev.tcpscope.cli.local.LocalPipeline;
import dev.tcpscope.web.WebView;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Properties;
import picocli.CommandLine.Option;

/** {@code --web [PORT]} of {@code demo} and {@code local}: the web view beside the pipeline. */
public final class WebOption {
  @Option(names = "--web", arity = "0..1", paramLabel = "PORT", fallbackValue = "8080",
      description = "Also serve the web view on 127.0.0.1:PORT (8080 when no port is given,"
          + " 0 for any free port); once the capture is processed, keep running until Ctrl-C.")
  Integer port;

  /** The web view as the pipeline's companion, or none without {@code --web}. */
  LocalPipeline.Companion companion(String command, PrintStream err) {
    if (port == null) {
      return LocalPipeline.Companion.NONE;
    }
    WebCommand.checkPort("--web", port);
    return new LocalPipeline.Companion() {
      private String url;

      @Override
      public AutoCloseable start(Properties client) throws Exception {
        WebView view = WebView.start(client, new WebView.Settings(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000,
            Duration.ofSeconds(5)));
        url = "http://127.0.0.1:" + view.port() + "/";
        err.println("tcpscope " + command + ": web view on " + url);
        return view;
      }

      @Override
      public void processed() throws InterruptedException {
        err.println("tcpscope " + command + ": capture processed; the web view stays on " + url
            + " until Ctrl-C");
        StopSignal.await();
        err.println("tcpscope " + command + ": stopping");
      }
    };
  }
}
