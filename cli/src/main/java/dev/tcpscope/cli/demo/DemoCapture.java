package dev.tcpscope.cli.demo;

import static dev.tcpscope.capture.decode.TcpFlags.ACK;
import static dev.tcpscope.capture.decode.TcpFlags.FIN;
import static dev.tcpscope.capture.decode.TcpFlags.PSH;
import static dev.tcpscope.capture.decode.TcpFlags.RST;
import static dev.tcpscope.capture.decode.TcpFlags.SYN;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The capture bundled with {@code demo}: a web client talking to two servers, made by our
 * own frame builder so its content is known exactly. Sessions, in order:
 *
 * <ol>
 *   <li>a clean HTTP request and response, closed with FINs (not reported);
 *   <li>a connection refused by a closed port (SYN answered by RST+ACK: RST, REJ);
 *   <li>a session the server aborts with RST after the request (RST, RSTR);
 *   <li>a second clean session (not reported);
 *   <li>a request whose response is retransmitted 1.2 s later (RETRANSMIT).
 * </ol>
 *
 * <p>Regenerate with {@code DemoCapture.main(path)}; a test checks that the committed file is
 * what this class writes.
 */
public final class DemoCapture {
  /** The resource path of the bundled file. */
  public static final String RESOURCE = "/dev/tcpscope/cli/demo/demo.pcap";

  static final String CLIENT = "192.168.61.88";
  static final String WEB = "192.168.56.136";
  static final long START_US = 1_767_268_800_000_000L; // 2026-01-01T12:00:00Z

  private final PcapFileWriter out;
  private long clockUs = START_US;

  private DemoCapture(PcapFileWriter out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    try (PcapFileWriter writer = PcapFileWriter.create(Path.of(args[0]), LinkType.ETHERNET)) {
      new DemoCapture(writer).writeAll();
    }
  }

  public static void write(OutputStream stream) throws IOException {
    try (PcapFileWriter writer = new PcapFileWriter(stream, LinkType.ETHERNET)) {
      new DemoCapture(writer).writeAll();
    }
  }

  private void writeAll() throws IOException {
    cleanSession(40001, 80, 0x5C503355L, 0x6BCBB846L);
    refused(40002, 8443, 0x1A2B3C4DL);
    serverAbort(40003, 80, 0x22334455L, 0x66778899L);
    cleanSession(40004, 80, 0x0BADF00DL, 0x0DEFACEDL);
    retransmittedResponse(40005, 80, 0x31415926L, 0x27182818L);
  }

  private void cleanSession(int port, int serverPort, long c, long s) throws IOException {
    handshake(port, serverPort, c, s);
    byte[] request = "GET /index.html HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);
    toServer(port, serverPort, c + 1, s + 1, ACK | PSH, request, 400);
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK, new byte[0], 150);
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK | PSH, response, 3200);
    toServer(port, serverPort, c + 1 + request.length, s + 1 + response.length, ACK, new byte[0], 120);
    toServer(port, serverPort, c + 1 + request.length, s + 1 + response.length, ACK | FIN, new byte[0], 2500);
    toClient(port, serverPort, s + 1 + response.length, c + 2 + request.length, ACK | FIN, new byte[0], 180);
    toServer(port, serverPort, c + 2 + request.length, s + 2 + response.length, ACK, new byte[0], 110);
    clockUs += 50_000;
  }

  private void refused(int port, int serverPort, long c) throws IOException {
    write(TcpFrameBuilder.tcp(CLIENT, port, WEB, serverPort).seq(c).flags(SYN)
        .synOptions(1460, 898447130L, 7), 0);
    write(TcpFrameBuilder.tcp(WEB, serverPort, CLIENT, port).seq(0).ack(c + 1).flags(RST | ACK)
        .window(0), 210);
    clockUs += 50_000;
  }

  private void serverAbort(int port, int serverPort, long c, long s) throws IOException {
    handshake(port, serverPort, c, s);
    byte[] request = "POST /upload HTTP/1.1\r\nHost: web\r\nContent-Length: 4\r\n\r\ndata"
        .getBytes(StandardCharsets.US_ASCII);
    toServer(port, serverPort, c + 1, s + 1, ACK | PSH, request, 350);
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK, new byte[0], 140);
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK | RST, new byte[0], 48_000);
    clockUs += 50_000;
  }

  private void retransmittedResponse(int port, int serverPort, long c, long s) throws IOException {
    handshake(port, serverPort, c, s);
    byte[] request = "GET /report HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] response = ("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nslow network").getBytes(
        StandardCharsets.US_ASCII);
    toServer(port, serverPort, c + 1, s + 1, ACK | PSH, request, 300);
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK | PSH, response, 2800);
    // The response is lost on the way; the server resends it after its retransmission timeout.
    toClient(port, serverPort, s + 1, c + 1 + request.length, ACK | PSH, response, 1_204_000);
    toServer(port, serverPort, c + 1 + request.length, s + 1 + response.length, ACK, new byte[0], 130);
    toServer(port, serverPort, c + 1 + request.length, s + 1 + response.length, ACK | FIN, new byte[0], 900);
    toClient(port, serverPort, s + 1 + response.length, c + 2 + request.length, ACK | FIN, new byte[0], 170);
    toServer(port, serverPort, c + 2 + request.length, s + 2 + response.length, ACK, new byte[0], 100);
    clockUs += 50_000;
  }

  private void handshake(int port, int serverPort, long c, long s) throws IOException {
    write(TcpFrameBuilder.tcp(CLIENT, port, WEB, serverPort).seq(c).flags(SYN)
        .synOptions(1460, 898447130L + port, 7), 0);
    write(TcpFrameBuilder.tcp(WEB, serverPort, CLIENT, port).seq(s).ack(c + 1).flags(SYN | ACK)
        .synOptions(1460, 899636678L + port, 7), 240);
    write(TcpFrameBuilder.tcp(CLIENT, port, WEB, serverPort).seq(c + 1).ack(s + 1).flags(ACK), 190);
  }

  private void toServer(int port, int serverPort, long seq, long ack, int flags, byte[] payload,
      long afterUs) throws IOException {
    write(TcpFrameBuilder.tcp(CLIENT, port, WEB, serverPort).seq(seq).ack(ack).flags(flags)
        .payload(payload), afterUs);
  }

  private void toClient(int port, int serverPort, long seq, long ack, int flags, byte[] payload,
      long afterUs) throws IOException {
    write(TcpFrameBuilder.tcp(WEB, serverPort, CLIENT, port).seq(seq).ack(ack).flags(flags)
        .payload(payload), afterUs);
  }

  private void write(TcpFrameBuilder frame, long afterUs) throws IOException {
    clockUs += afterUs;
    out.write(clockUs, frame.build());
  }
}
