package dev.tcpscope.cli;

import static dev.tcpscope.capture.decode.TcpFlags.ACK;
import static dev.tcpscope.capture.decode.TcpFlags.FIN;
import static dev.tcpscope.capture.decode.TcpFlags.PSH;
import static dev.tcpscope.capture.decode.TcpFlags.RST;
import static dev.tcpscope.capture.decode.TcpFlags.SYN;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.pcap.PcapFileWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A capture file of many sessions open at the same time, written in capture order without
 * holding it in memory: every client connects first, then all exchange a request and a
 * response per round, then all close. One session in ten gets a response again 1.2 s later
 * and is silent meanwhile (RETRANSMIT), one in ten is aborted by the server at the end (RST);
 * the others are clean.
 */
final class LoadCapture {
  static final long T0_US = 1_767_268_800_000_000L;
  private static final int REQUEST = 10;
  private static final int RESPONSE = 20;
  /** 1.2 s: later than -r's default of 1000 ms. */
  private static final int RETRANSMIT_AFTER_ROUNDS = 12;
  private static final long ROUND_US = 100_000;

  private final int sessions;
  private final int rounds;
  private final long slotUs;
  private long frames;

  /**
   * @param sessions connections open at once
   * @param rounds request/response exchanges of each, one round every 100 ms of capture time
   */
  LoadCapture(int sessions, int rounds) {
    if (rounds <= RETRANSMIT_AFTER_ROUNDS + 2) {
      throw new IllegalArgumentException("at least " + (RETRANSMIT_AFTER_ROUNDS + 3) + " rounds");
    }
    this.sessions = sessions;
    this.rounds = rounds;
    this.slotUs = ROUND_US / sessions;
    if (slotUs < 4) {
      throw new IllegalArgumentException("too many sessions for a round of 100 ms");
    }
  }

  /** Writes the capture; returns the number of frames (each one TCP segment). */
  long write(Path file) throws IOException {
    frames = 0;
    try (PcapFileWriter out = PcapFileWriter.create(file, LinkType.ETHERNET)) {
      long t = T0_US;
      for (int i = 0; i < sessions; i++, t += slotUs) { // the handshakes, one round
        frame(out, i, true, SYN, c(i), 0, 0, t);
        frame(out, i, false, SYN | ACK, s(i), c(i) + 1, 0, t + 1);
        frame(out, i, true, ACK, c(i) + 1, s(i) + 1, 0, t + 2);
      }
      long[] cs = new long[sessions]; // each side's next sequence number
      long[] ss = new long[sessions];
      for (int i = 0; i < sessions; i++) {
        cs[i] = c(i) + 1;
        ss[i] = s(i) + 1;
      }
      for (int r = 0; r < rounds; r++) {
        long round = T0_US + (r + 1) * ROUND_US;
        for (int i = 0; i < sessions; i++) {
          long at = round + i * slotUs;
          int late = retransmittedRound(i);
          if (late >= 0 && r > late && r < late + RETRANSMIT_AFTER_ROUNDS) {
            continue; // the client waits for the response it did not get
          }
          if (late >= 0 && r == late + RETRANSMIT_AFTER_ROUNDS) {
            frame(out, i, false, ACK | PSH, ss[i] - RESPONSE, cs[i], RESPONSE, at); // again
            continue;
          }
          frame(out, i, true, ACK | PSH, cs[i], ss[i], REQUEST, at);
          cs[i] += REQUEST;
          frame(out, i, false, ACK | PSH, ss[i], cs[i], RESPONSE, at + 1);
          ss[i] += RESPONSE;
        }
      }
      long end = T0_US + (rounds + 1) * ROUND_US;
      for (int i = 0; i < sessions; i++) {
        long at = end + i * slotUs;
        if (i % 10 == 7) {
          frame(out, i, false, RST | ACK, ss[i], cs[i], 0, at);
        } else {
          frame(out, i, true, ACK | FIN, cs[i], ss[i], 0, at);
          frame(out, i, false, ACK | FIN, ss[i], cs[i] + 1, 0, at + 1);
          frame(out, i, true, ACK, cs[i] + 1, ss[i] + 1, 0, at + 2);
        }
      }
    }
    return frames;
  }

  /** The round whose response session {@code i} sends again later, or -1. */
  private int retransmittedRound(int i) {
    return i % 10 == 3 ? i % (rounds - RETRANSMIT_AFTER_ROUNDS - 1) : -1;
  }

  private static long c(int i) {
    return 1000L + i * 7919L;
  }

  private static long s(int i) {
    return 500_000L + i * 104_729L;
  }

  private void frame(PcapFileWriter out, int i, boolean fromClient, int flags, long seq,
      long ack, int payload, long tsUs) throws IOException {
    String client = "10.40." + (i / 250) + "." + (1 + i % 250);
    int clientPort = 20_000 + i % 40_000;
    TcpFrameBuilder b = fromClient ? TcpFrameBuilder.tcp(client, clientPort, "10.50.0.1", 443)
        : TcpFrameBuilder.tcp("10.50.0.1", 443, client, clientPort);
    out.write(tsUs, b.seq(seq).ack(ack).flags(flags).payloadLength(payload).build());
    frames++;
  }
}
