package dev.tcpscope.session.engine;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the segments of a TCP conversation between a client and a server for engine tests,
 * with a clock that only moves when told to.
 */
final class Conversation {
  static final int SYN = Segment.SYN;
  static final int ACK = Segment.ACK;
  static final int FIN = Segment.FIN;
  static final int RST = Segment.RST;
  static final int PSH = Segment.PSH;

  private final byte[] client;
  private final int clientPort;
  private final byte[] server;
  private final int serverPort;
  long nowUs = 1_700_000_000_000_000L;

  Conversation(String clientIp, int clientPort, String serverIp, int serverPort) {
    this.client = address(clientIp);
    this.clientPort = clientPort;
    this.server = address(serverIp);
    this.serverPort = serverPort;
  }

  private static byte[] address(String ip) {
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  Conversation after(long micros) {
    nowUs += micros;
    return this;
  }

  Segment fromClient(int flags, long seq, long ack, int payload) {
    return segment(client, clientPort, server, serverPort, flags, seq, ack, payload);
  }

  Segment fromServer(int flags, long seq, long ack, int payload) {
    return segment(server, serverPort, client, clientPort, flags, seq, ack, payload);
  }

  private Segment segment(byte[] src, int srcPort, byte[] dst, int dstPort, int flags, long seq,
      long ack, int payload) {
    Segment s = new Segment();
    s.tsUs = nowUs;
    s.addressLength = src.length;
    System.arraycopy(src, 0, s.srcIp, 0, src.length);
    System.arraycopy(dst, 0, s.dstIp, 0, dst.length);
    s.srcPort = srcPort;
    s.dstPort = dstPort;
    s.flags = flags;
    s.seq = seq & 0xffffffffL;
    s.ack = ack & 0xffffffffL;
    s.payloadLength = payload;
    s.frameLength = 54 + (src.length == 16 ? 20 : 0) + payload;
    s.window = 64240;
    return s;
  }

  /** A clean exchange: handshake, one request and response, FIN from the client first. */
  List<Segment> cleanSession(long c, long s) {
    List<Segment> all = new ArrayList<>();
    all.add(fromClient(SYN, c, 0, 0));
    all.add(after(200).fromServer(SYN | ACK, s, c + 1, 0));
    all.add(after(200).fromClient(ACK, c + 1, s + 1, 0));
    all.add(after(300).fromClient(ACK | PSH, c + 1, s + 1, 100));
    all.add(after(300).fromServer(ACK | PSH, s + 1, c + 101, 500));
    all.add(after(100).fromClient(ACK, c + 101, s + 501, 0));
    all.add(after(100).fromClient(ACK | FIN, c + 101, s + 501, 0));
    all.add(after(100).fromServer(ACK | FIN, s + 501, c + 102, 0));
    all.add(after(100).fromClient(ACK, c + 102, s + 502, 0));
    return all;
  }
}
