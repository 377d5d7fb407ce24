package dev.tcpscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.cli.broker.EmbeddedKafkaBroker;
import dev.tcpscope.cli.broker.TopicSetup;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.serde.TcpscopeTopics;
import dev.tcpscope.schemas.v1.TcpSegment;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/tcpscope agent -i lo} on a Java 25 runtime, where the multi-release jar captures
 * with libpcap through the foreign-function API, and with {@code
 * -Dtcpscope.capture.backend=pcap4j} on the same runtime: both capture a real loopback
 * connection through the kernel filter and publish its segments. Needs the Temurin 25 JDK
 * these machines carry, libpcap and the right to capture.
 */
class LiveCaptureFfmIT {
  private static final Path HOME =
      Path.of(System.getProperty("tcpscope.home", "..")).toAbsolutePath();
  private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

  @ParameterizedTest(name = "backend {0}")
  @ValueSource(strings = {"ffm", "pcap4j"})
  @Timeout(180)
  void capturesALoopbackConnectionOnJava25(String backend, @TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(JDK25.resolve("bin/java")),
        "no JDK 25 at " + JDK25 + ": the FFM capture is built and run only with one");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      TopicSetup.ensure(new Properties(), broker.bootstrapServers(),
          List.of(TcpscopeTopics.SEGMENTS, TcpscopeTopics.HEARTBEATS), 1, (short) 1);
      int port = server.getLocalPort();
      Path err = dir.resolve("agent.err");
      List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/tcpscope").toString(),
          "agent", "-i", "lo", "--bootstrap-server", broker.bootstrapServers(), "--observer",
          "ffm-it-" + backend, "--no-promiscuous", "--", "tcp", "port", String.valueOf(port)));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(err.toFile());
      pb.environment().put("PATH", JDK25.resolve("bin") + ":" + System.getenv("PATH"));
      if (backend.equals("pcap4j")) {
        pb.environment().put("TCPSCOPE_JAVA_OPTS", "-Dtcpscope.capture.backend=pcap4j");
      }
      Process agent = pb.start();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!Files.readString(err).contains("capturing from") && agent.isAlive()
          && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      String started = Files.readString(err);
      Assumptions.assumeFalse(started.contains("no permission")
              || started.contains("libpcap could not be loaded"),
          "live capture needs libpcap and capture rights: " + started);
      assertThat(started).contains("(libpcap through " + backend + ")");
      Thread.sleep(500); // the handle is open and the loop is reading

      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
          Socket accepted = server.accept()) {
        OutputStream out = client.getOutputStream();
        out.write(new byte[300]);
        out.flush();
        InputStream in = accepted.getInputStream();
        assertThat(in.readNBytes(300)).hasSize(300);
      }
      Thread.sleep(2000); // the teardown is captured and published
      agent.toHandle().destroy(); // SIGTERM
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String stderr = Files.readString(err, StandardCharsets.UTF_8);

      List<TcpSegment> segments = TopicRecords.readAll(broker.bootstrapServers(),
          TcpscopeTopics.SEGMENTS, TcpscopeSerdes.tcpSegment());
      assertThat(segments).as(stderr).isNotEmpty()
          .allSatisfy(s -> assertThat(s.getSrcPort() == port || s.getDstPort() == port).isTrue());
      assertThat(segments).as("the SYN").anySatisfy(s -> {
        assertThat(s.getDstPort()).isEqualTo(port);
        assertThat(s.getFlags() & 0x12).isEqualTo(0x02);
      });
      assertThat(segments.stream().mapToInt(TcpSegment::getPayloadLength).sum()).isEqualTo(300);
      assertThat(segments.stream().filter(s -> (s.getFlags() & 0x01) != 0)).hasSize(2);
      assertThat(stderr).containsPattern("pcap_received=[1-9]").contains("pcap_dropped=0");
    }
  }
}
