package dev.tcpscope.cli.fleet;

import static dev.tcpscope.capture.decode.TcpFlags.ACK;
import static dev.tcpscope.capture.decode.TcpFlags.FIN;
import static dev.tcpscope.capture.decode.TcpFlags.PSH;
import static dev.tcpscope.capture.decode.TcpFlags.RST;
import static dev.tcpscope.capture.decode.TcpFlags.SYN;

import dev.tcpscope.capture.decode.DecodedSegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Deterministic traffic of many clients to one server, interleaved in capture time: clean
 * sessions, refused connections, sessions the server aborts, and responses retransmitted
 * 1.2 s late; every session ends (so nothing hangs on a timeout), and one in four is clean.
 */
final class MixedTraffic {
  static final long T0_US = 1_767_268_800_000_000L;

  private MixedTraffic() {}

  /** The segments of {@code sessions} sessions, one starting every {@code spacingUs}. */
  static List<DecodedSegment> of(int sessions, long spacingUs) {
    List<DecodedSegment> all = new ArrayList<>(sessions * 8);
    for (int i = 0; i < sessions; i++) {
      long t = T0_US + i * spacingUs;
      int host = 1 + i / 50_000;
      int port = 10_000 + i % 50_000;
      long c = 1000L + i * 7919L;
      long s = 500_000L + i * 104_729L;
      switch (i % 4) {
        case 0 -> { // clean
          handshake(all, host, port, c, s, t);
          add(all, host, port, true, ACK | PSH, c + 1, s + 1, 100, t + 300);
          add(all, host, port, false, ACK | PSH, s + 1, c + 101, 200, t + 400);
          close(all, host, port, c + 101, s + 201, t + 500);
        }
        case 1 -> { // refused
          add(all, host, port, true, SYN, c, 0, 0, t);
          add(all, host, port, false, RST | ACK, 0, c + 1, 0, t + 100);
        }
        case 2 -> { // aborted by the server
          handshake(all, host, port, c, s, t);
          add(all, host, port, true, ACK | PSH, c + 1, s + 1, 100, t + 300);
          add(all, host, port, false, RST | ACK, s + 1, c + 101, 0, t + 400);
        }
        default -> { // the response resent 1.2 s later
          handshake(all, host, port, c, s, t);
          add(all, host, port, true, ACK | PSH, c + 1, s + 1, 100, t + 300);
          add(all, host, port, false, ACK | PSH, s + 1, c + 101, 200, t + 400);
          add(all, host, port, false, ACK | PSH, s + 1, c + 101, 200, t + 1_200_400);
          close(all, host, port, c + 101, s + 201, t + 1_200_500);
        }
      }
    }
    all.sort(Comparator.comparingLong(d -> d.tsUs));
    return all;
  }

  /** Connections past their handshake and never closed: open as long as anyone looks. */
  static List<DecodedSegment> openConnections(int connections, long spacingUs) {
    List<DecodedSegment> all = new ArrayList<>(connections * 3);
    for (int i = 0; i < connections; i++) {
      handshake(all, 1, 10_000 + i, 1000L + i * 7919L, 500_000L + i * 104_729L,
          T0_US + i * spacingUs);
    }
    all.sort(Comparator.comparingLong(d -> d.tsUs));
    return all;
  }

  private static void handshake(List<DecodedSegment> all, int host, int port, long c, long s,
      long t) {
    add(all, host, port, true, SYN, c, 0, 0, t);
    add(all, host, port, false, SYN | ACK, s, c + 1, 0, t + 100);
    add(all, host, port, true, ACK, c + 1, s + 1, 0, t + 200);
  }

  private static void close(List<DecodedSegment> all, int host, int port, long c, long s,
      long t) {
    add(all, host, port, true, ACK | FIN, c, s, 0, t);
    add(all, host, port, false, ACK | FIN, s, c + 1, 0, t + 100);
    add(all, host, port, true, ACK, c + 1, s + 1, 0, t + 200);
  }

  private static void add(List<DecodedSegment> all, int host, int port, boolean fromClient,
      int flags, long seq, long ack, int payload, long tsUs) {
    DecodedSegment d = new DecodedSegment();
    d.frame = new byte[0];
    d.ipVersion = 4;
    byte[] client = fromClient ? d.srcIp : d.dstIp;
    byte[] server = fromClient ? d.dstIp : d.srcIp;
    client[0] = 10;
    client[1] = 20;
    client[2] = (byte) (host >> 8);
    client[3] = (byte) host;
    server[0] = 10;
    server[1] = 30;
    server[2] = 0;
    server[3] = 1;
    d.srcPort = fromClient ? port : 8443;
    d.dstPort = fromClient ? 8443 : port;
    d.flags = flags;
    d.seq = seq & 0xffffffffL;
    d.ack = ack & 0xffffffffL;
    d.window = 64240;
    d.payloadLength = payload;
    d.capturedPayload = payload;
    d.frameLength = 54 + payload;
    d.tsUs = tsUs;
    all.add(d);
  }
}
