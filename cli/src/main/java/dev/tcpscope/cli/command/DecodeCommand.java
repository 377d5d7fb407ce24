package dev.tcpscope.cli.command;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.HttpFirstLine;
import dev.tcpscope.capture.pcap.CaptureFormatException;
import dev.tcpscope.capture.pipeline.CaptureFileReplay;
import dev.tcpscope.capture.source.BpfFrameFilter;
import dev.tcpscope.session.engine.IpText;
import dev.tcpscope.session.engine.TcpOptionsText;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code decode}: one line per decoded TCP segment, exactly what the agent would publish. */
@Command(name = "decode", mixinStandardHelpOptions = true,
    description = "Print every TCP segment the agent decodes from capture files; counters on stderr.",
    footer = "A BPF expression after '--' (tcpdump syntax) selects the frames read.")
public final class DecodeCommand implements Callable<Integer> {
  @Option(names = "--format", paramLabel = "text|jsonl", defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
  OutputOptions.Format format;

  @Option(names = "--observer", paramLabel = "ID", defaultValue = "${env:TCPSCOPE_OBSERVER:-}",
      description = "Observer id in the JSON lines, as the agent would publish it (default: this"
          + " host's name).")
  String observer;

  @Option(names = {"-m", "--dpi-mode"}, paramLabel = "http",
      description = "Also show the HTTP request or status line a segment begins with: http.")
  String dpiMode;

  @Parameters(paramLabel = "FILE", arity = "1..*",
      description = "Capture files ('-' reads standard input), then optionally -- BPF.")
  List<String> positionals;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (dpiMode != null && !dpiMode.equals("http")) {
      throw new IllegalArgumentException(
          "-m/--dpi-mode accepts only 'http', not '" + dpiMode + "'");
    }
    boolean http = dpiMode != null;
    String observerId = Hosts.observerOr(observer);
    FilesAndFilter input = FilesAndFilter.of(spec, positionals);
    BpfFrameFilter bpf = input.bpf() == null ? null : BpfFrameFilter.compile(input.bpf());
    PrintWriter out = new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
    ZoneId zone = ZoneId.systemDefault();
    StringBuilder line = new StringBuilder(256);
    int exit = 0;
    for (String file : input.files()) {
      CaptureFileReplay replay = new CaptureFileReplay().filter(bpf);
      try {
        replay.replay(file, s -> {
          line.setLength(0);
          s.httpLine = http ? HttpFirstLine.of(s.frame, s.payloadOffset, s.capturedPayload) : null;
          if (format == OutputOptions.Format.jsonl) {
            json(line, observerId, file, s);
          } else {
            text(line, s, zone);
          }
          out.println(line);
        });
      } catch (NoSuchFileException e) {
        out.flush();
        System.err.println("tcpscope decode: no such file: " + file);
        exit = 2;
        continue;
      } catch (CaptureFormatException e) {
        out.flush();
        System.err.println("tcpscope decode: " + file + ": " + e.getMessage());
        exit = 2;
        continue;
      }
      out.flush();
      System.err.println("tcpscope decode: " + file + ": " + replay.counters().summary()
          + (bpf == null ? "" : " filtered=" + replay.filtered())
          + (replay.damage() == null ? "" : " (" + replay.damage() + ")"));
    }
    out.flush();
    return exit;
  }

  private static String flags(int flags) {
    StringBuilder f = new StringBuilder(9);
    String letters = "FSRPAUECN";
    for (int i = 0; i < 9; i++) {
      if ((flags & (1 << i)) != 0) {
        f.append(letters.charAt(i));
      }
    }
    return f.length() == 0 ? "none" : f.toString();
  }

  private static void text(StringBuilder line, DecodedSegment s, ZoneId zone) {
    LocalTime t = Instant.ofEpochSecond(s.tsUs / 1_000_000, (s.tsUs % 1_000_000) * 1000)
        .atZone(zone).toLocalTime();
    line.append(String.format("%02d:%02d:%02d.%06d ", t.getHour(), t.getMinute(), t.getSecond(),
        t.getNano() / 1000));
    endpoint(line, s.srcIp, s.addressLength(), s.srcPort).append(" > ");
    endpoint(line, s.dstIp, s.addressLength(), s.dstPort);
    line.append(" [").append(flags(s.flags)).append("] seq ").append(s.seq).append(" ack ")
        .append(s.ack).append(" win ").append(s.window).append(" len ").append(s.payloadLength)
        .append(" frame ").append(s.frameLength);
    if (s.fragmented) {
      line.append(" fragmented");
    }
    if (s.httpLine != null) {
      line.append(" \"").append(s.httpLine).append('"');
    }
    String options = TcpOptionsText.describe(s.frame, s.optionsOffset, s.optionsLength);
    if (!options.isEmpty()) {
      line.append(" <").append(options).append('>');
    }
  }

  private static StringBuilder endpoint(StringBuilder line, byte[] ip, int length, int port) {
    String text = IpText.of(ip, length);
    return length == 16
        ? line.append('[').append(text).append("]:").append(port)
        : line.append(text).append(':').append(port);
  }

  /** The TcpSegment fields (options described as text) plus source, as the agent would send. */
  private static void json(StringBuilder j, String observer, String source, DecodedSegment s) {
    j.append("{\"source\":");
    quoted(j, source).append(",\"observer\":");
    quoted(j, observer).append(",\"ts_us\":").append(s.tsUs)
        .append(",\"src_ip\":\"").append(IpText.of(s.srcIp, s.addressLength()))
        .append("\",\"src_port\":").append(s.srcPort)
        .append(",\"dst_ip\":\"").append(IpText.of(s.dstIp, s.addressLength()))
        .append("\",\"dst_port\":").append(s.dstPort)
        .append(",\"seq\":").append(s.seq).append(",\"ack\":").append(s.ack)
        .append(",\"flags\":").append(s.flags)
        .append(",\"window\":").append(s.window)
        .append(",\"payload_length\":").append(s.payloadLength)
        .append(",\"frame_length\":").append(s.frameLength)
        .append(",\"fragmented\":").append(s.fragmented)
        .append(",\"options\":\"")
        .append(TcpOptionsText.describe(s.frame, s.optionsOffset, s.optionsLength))
        .append("\",\"payload_captured\":")
        .append(s.capturedPayload < s.payloadLength ? String.valueOf(s.capturedPayload) : "null")
        .append(",\"http_line\":");
    if (s.httpLine == null) {
      j.append("null");
    } else {
      quoted(j, s.httpLine);
    }
    j.append('}');
  }

  private static StringBuilder quoted(StringBuilder j, String value) {
    j.append('"');
    JsonStringEncoder.getInstance().quoteAsString(value, j);
    return j.append('"');
  }
}
