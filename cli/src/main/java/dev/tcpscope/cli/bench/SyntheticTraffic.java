package dev.tcpscope.cli.bench;

import dev.tcpscope.session.engine.Segment;

/**
 * Endless short TCP sessions between many clients and one server, with a fixed number open at
 * once: each session is a handshake, {@code dataSegments} request/response segments and a
 * FIN teardown; when one ends, a new one (new client port) takes its place. Filling the next
 * segment costs a few field writes, so a benchmark measures the consumer, not this.
 */
public final class SyntheticTraffic {
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final int FIN = 0x01;
  private static final int PSH = 0x08;

  private final int concurrent;
  private final int dataSegments;
  /** Per open slot: client address/port, and how far its session has got. */
  private final int[] clientPort;

  private final int[] clientHost;
  private final int[] step;
  private final long[] clientSeq;
  private final long[] serverSeq;
  private int nextSlot;
  private int nextPort = 1024;
  private int nextHost = 1;
  private long clockUs = 1_767_268_800_000_000L;
  private long sessionsStarted;

  public SyntheticTraffic(int concurrent, int dataSegments) {
    this.concurrent = concurrent;
    this.dataSegments = dataSegments;
    clientPort = new int[concurrent];
    clientHost = new int[concurrent];
    step = new int[concurrent];
    clientSeq = new long[concurrent];
    serverSeq = new long[concurrent];
    for (int i = 0; i < concurrent; i++) {
      newSession(i);
    }
  }

  /** Segments per session: 3 handshake, the data, 3 teardown. */
  public int segmentsPerSession() {
    return 6 + dataSegments;
  }

  public long sessionsStarted() {
    return sessionsStarted;
  }

  private void newSession(int slot) {
    if (++nextPort > 65000) {
      nextPort = 1024;
      nextHost++;
    }
    clientPort[slot] = nextPort;
    clientHost[slot] = nextHost;
    step[slot] = 0;
    clientSeq[slot] = (slot * 2654435761L) & 0xffffffffL;
    serverSeq[slot] = (slot * 40503L + nextPort) & 0xffffffffL;
    sessionsStarted++;
  }

  /** Fills {@code s} with the next segment, round robin over the open sessions. */
  public void next(Segment s) {
    int slot = nextSlot;
    nextSlot = slot + 1 == concurrent ? 0 : slot + 1;
    clockUs += 1;
    int st = step[slot];
    int last = segmentsPerSession() - 1;
    boolean fromClient;
    long c = clientSeq[slot];
    long v = serverSeq[slot];
    if (st == 0) {
      fromClient = true;
      fill(s, slot, true, SYN, c, 0, 0);
    } else if (st == 1) {
      fromClient = false;
      fill(s, slot, false, SYN | ACK, v, c + 1, 0);
    } else if (st == 2) {
      fromClient = true;
      fill(s, slot, true, ACK, c + 1, v + 1, 0);
      clientSeq[slot] = c + 1;
      serverSeq[slot] = v + 1;
    } else if (st < last - 2) {
      fromClient = (st & 1) == 1;
      int payload = fromClient ? 200 : 1200;
      fill(s, slot, fromClient, ACK | PSH, fromClient ? c : v, fromClient ? v : c, payload);
      if (fromClient) {
        clientSeq[slot] = c + payload;
      } else {
        serverSeq[slot] = v + payload;
      }
    } else if (st == last - 2) {
      fill(s, slot, true, ACK | FIN, c, v, 0);
    } else if (st == last - 1) {
      fill(s, slot, false, ACK | FIN, v, c + 1, 0);
    } else {
      fill(s, slot, true, ACK, c + 1, v + 1, 0);
    }
    if (st == last) {
      newSession(slot);
    } else {
      step[slot] = st + 1;
    }
  }

  private void fill(Segment s, int slot, boolean fromClient, int flags, long seq, long ack,
      int payload) {
    s.tsUs = clockUs;
    s.addressLength = 4;
    int host = clientHost[slot];
    byte[] client = fromClient ? s.srcIp : s.dstIp;
    byte[] server = fromClient ? s.dstIp : s.srcIp;
    client[0] = 10;
    client[1] = (byte) (host >> 16);
    client[2] = (byte) (host >> 8);
    client[3] = (byte) host;
    server[0] = (byte) 192;
    server[1] = (byte) 168;
    server[2] = 0;
    server[3] = 1;
    s.srcPort = fromClient ? clientPort[slot] : 443;
    s.dstPort = fromClient ? 443 : clientPort[slot];
    s.flags = flags;
    s.seq = seq & 0xffffffffL;
    s.ack = ack & 0xffffffffL;
    s.window = 64240;
    s.payloadLength = payload;
    s.frameLength = 66 + payload;
    s.fragmented = false;
    s.optionsLength = 0;
  }
}
