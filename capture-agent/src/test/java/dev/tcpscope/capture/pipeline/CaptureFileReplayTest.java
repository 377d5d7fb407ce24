package dev.tcpscope.capture.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileReplayTest {

  @Test
  void everyFrameIsCountedAndSegmentsReachTheSinkInCaptureOrder(@TempDir Path dir) throws IOException {
    byte[] syn = TcpFrameBuilder.tcp("10.0.0.1", 40000, "10.0.0.2", 80).flags(TcpFlags.SYN).build();
    byte[] synAck = TcpFrameBuilder.tcp("10.0.0.2", 80, "10.0.0.1", 40000)
        .flags(TcpFlags.SYN | TcpFlags.ACK).build();
    byte[] arp = syn.clone();
    arp[12] = 0x08;
    arp[13] = 0x06;
    byte[] udp = syn.clone();
    udp[14 + 9] = 17;
    Path file = dir.resolve("handshake.pcap");
    try (PcapFileWriter writer = PcapFileWriter.create(file, LinkType.ETHERNET)) {
      writer.write(1_000_000, syn);
      writer.write(1_000_100, arp);
      writer.write(1_000_200, udp);
      writer.write(1_000_300, syn, 14 + 20 + 10, syn.length); // TCP header cut by the snap length
      writer.write(1_000_400, synAck);
    }
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
      out.write(new byte[7]); // a torn record header at the end
    }

    CaptureFileReplay replay = new CaptureFileReplay();
    List<String> seen = new ArrayList<>();
    replay.replay(file.toString(), s -> seen.add(s.tsUs + " " + s.srcPort + ">" + s.dstPort + " " + s.flags));

    assertThat(seen).containsExactly("1000000 40000>80 2", "1000400 80>40000 18");
    DecodeCounters counters = replay.counters();
    assertThat(counters.frames()).isEqualTo(5);
    assertThat(counters.segments()).isEqualTo(2);
    assertThat(counters.get(DecodeResult.NOT_IP)).isEqualTo(1);
    assertThat(counters.get(DecodeResult.NOT_TCP)).isEqualTo(1);
    assertThat(counters.get(DecodeResult.TCP_ERROR)).isEqualTo(1);
    assertThat(counters.summary()).isEqualTo("frames=5 segments=2 tcp_error=1 not_ip=1 not_tcp=1");
    assertThat(replay.damage()).contains("truncated");
  }

  @Test
  void summaryLeavesOutZeroCountersButTheSegments() {
    assertThat(new DecodeCounters().summary()).isEqualTo("frames=0 segments=0");
  }
}
