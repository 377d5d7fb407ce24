package dev.tcpscope.cli.command;

import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CaptureFiles;
import dev.tcpscope.cli.demo.DemoCapture;
import dev.tcpscope.cli.local.LocalPipeline;
import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.SessionReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code demo}: the whole pipeline on an embedded broker with the bundled capture, printing
 * each suspicious session in miruo's layout as the viewer reads it from the anomaly topic.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Embedded Kafka broker + bundled capture -> agent -> processor -> suspicious sessions.")
public final class DemoCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin WebOption web;

  @Override
  public Integer call() throws Exception {
    Function<SessionReport, String> formatter = output.formatter();
    PrintStream out = System.out;
    PrintStream err = System.err;
    err.println("tcpscope demo: starting an embedded Kafka broker (KRaft) ...");
    LocalPipeline pipeline = new LocalPipeline(RuleSettings.defaults(), "demo-host", "exactly_once_v2")
        .with(web.companion("demo", err));
    LocalPipeline.Capture bundled = new LocalPipeline.Capture() {
      @Override
      public String name() {
        return "demo.pcap";
      }

      @Override
      public CaptureFileReader open() throws IOException {
        InputStream in = DemoCapture.class.getResourceAsStream(DemoCapture.RESOURCE);
        if (in == null) {
          throw new IOException("the bundled capture " + DemoCapture.RESOURCE + " is missing");
        }
        return CaptureFiles.open(in);
      }
    };
    int[] shown = {0};
    String counters = pipeline.run(bundled, report -> {
      shown[0]++;
      out.println(formatter.apply(report));
      out.flush();
    });
    err.println("tcpscope demo: capture processed (" + counters + "); " + shown[0]
        + " suspicious sessions read from the anomaly topic.");
    return 0;
  }
}
