package dev.tcpscope.capture.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.TcpFlags;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Live capture on the loopback interface with real sockets. Needs libpcap and the right to
 * capture (root, or CAP_NET_RAW and CAP_NET_ADMIN); CI runs as root with libpcap installed.
 */
class LivePcapSourceTest {

  private static LivePcapSource openLoopback(String bpf) throws IOException {
    return openLoopback(bpf, true);
  }

  private static LivePcapSource openLoopback(String bpf, boolean immediate) throws IOException {
    try {
      return LivePcapSource.open(new LiveCaptureSettings("lo", bpf, 512, 4 << 20, false, immediate));
    } catch (IOException e) {
      Assumptions.assumeFalse(e.getMessage().contains("no permission")
              || e.getMessage().contains("libpcap could not be loaded"),
          "live capture needs libpcap and capture rights (root or CAP_NET_RAW): " + e.getMessage());
      throw e;
    }
  }

  record Seen(int srcPort, int dstPort, int flags, int payload) {}

  @ParameterizedTest(name = "immediate mode {0}")
  @ValueSource(booleans = {true, false})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void capturesAWholeLoopbackConnectionThroughTheKernelFilter(boolean immediate) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      int port = server.getLocalPort();
      LivePcapSource source = openLoopback("port " + port, immediate);
      List<Seen> seen = new CopyOnWriteArrayList<>();
      FrameDecoder decoder = new FrameDecoder();
      DecodedSegment segment = new DecodedSegment();
      int[] seconds = {0};
      Thread capture = new Thread(() -> {
        try {
          source.run((linkType, data, offset, captured, wire, tsUs) -> {
            if (decoder.decode(linkType, data, offset, captured, wire, tsUs, segment)
                == DecodeResult.SEGMENT) {
              seen.add(new Seen(segment.srcPort, segment.dstPort, segment.flags,
                  segment.payloadLength));
            }
          }, () -> seconds[0]++);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      capture.start();
      Thread.sleep(300); // the handle is open; give the loop a moment to start dispatching

      // One connection: a request of 100 bytes, an answer of 200, then close.
      Socket accepted;
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
        accepted = server.accept();
        OutputStream out = client.getOutputStream();
        out.write(new byte[100]);
        out.flush();
        InputStream in = accepted.getInputStream();
        assertThat(in.readNBytes(100)).hasSize(100);
        accepted.getOutputStream().write(new byte[200]);
        accepted.getOutputStream().flush();
        assertThat(client.getInputStream().readNBytes(200)).hasSize(200);
      }
      accepted.close();
      // Unrelated loopback traffic the filter must keep out.
      try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          Socket s = new Socket(InetAddress.getLoopbackAddress(), other.getLocalPort())) {
        other.accept().close();
      }

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.stream().filter(x -> (x.flags() & TcpFlags.FIN) != 0).count() < 2
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      Thread.sleep(1200); // long enough for the once-a-second tick
      source.stop();
      capture.join(5000);
      source.close();

      assertThat(capture.isAlive()).as("capture loop stopped").isFalse();
      assertThat(seen).allSatisfy(x -> assertThat(x.srcPort() == port || x.dstPort() == port).isTrue());
      assertThat(seen).anySatisfy(x -> {
        assertThat(x.dstPort()).isEqualTo(port);
        assertThat(x.flags() & (TcpFlags.SYN | TcpFlags.ACK)).isEqualTo(TcpFlags.SYN);
      });
      assertThat(seen).anySatisfy(x -> {
        assertThat(x.srcPort()).isEqualTo(port);
        assertThat(x.flags() & (TcpFlags.SYN | TcpFlags.ACK)).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
      });
      assertThat(seen.stream().mapToInt(Seen::payload).sum()).isEqualTo(300);
      assertThat(seen.stream().filter(x -> (x.flags() & TcpFlags.FIN) != 0)).hasSize(2);
      assertThat(seconds[0]).isPositive();
      assertThat(source.statistics().received()).isPositive();
    }
  }

  @Test
  void aMistypedFilterIsRefusedWithLibpcapsReason() {
    assertThatThrownBy(() -> openLoopback("port nonsense").close())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not accepted by libpcap");
  }

  @Test
  void aMissingInterfaceIsNamed() {
    assertThatThrownBy(() -> LivePcapSource.open(
        new LiveCaptureSettings("tcpscope-none0", null, 512, 1 << 20, false, false)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tcpscope-none0");
  }

  @Test
  void missingPrivilegeNamesTheCapabilities() {
    String message = LivePcapSource.explain("eth0",
        "eth0: You don't have permission to capture on that device (socket: Operation not permitted)");
    assertThat(message).contains("CAP_NET_RAW").contains("CAP_NET_ADMIN").contains("setcap");
  }
}
