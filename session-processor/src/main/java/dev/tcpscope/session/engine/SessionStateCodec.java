package dev.tcpscope.session.engine;

/**
 * A session's whole state as bytes, for a state store and its changelog: a version, then
 * every field in a fixed order, in Avro's binary encoding (varints; measured against a fixed
 * big-endian layout, it is about 40% smaller at the same speed, and every session changed
 * since the last commit is written at every commit: {@code StateEncodingBenchmark}). Written
 * by hand ({@link StateWriter}, {@link StateReader}) because the layout is internal, never
 * read by another program, and the engine has no Avro imports.
 */
public final class SessionStateCodec {
  private static final int VERSION = 3;

  private SessionStateCodec() {}

  public static byte[] encode(Session s) {
    StateWriter out = new StateWriter(160 + (s.shown.size() + s.recentCount) * 32);
    encode(s, out);
    return out.toByteArray();
  }

  /** Writes the session's fields, in the layout's order, to {@code out}. */
  public static void encode(Session s, StateOut out) {
    out.writeInt(VERSION);
    out.writeBytes(s.clientIp);
    out.writeInt(s.clientPort);
    out.writeBytes(s.serverIp);
    out.writeInt(s.serverPort);
    out.writeString(s.observer);
    out.writeString(s.source);
    out.writeBoolean(s.partial);
    out.writeInt(s.recent.length);
    out.writeLong(s.startUs);
    out.writeLong(s.lastUs);
    out.writeInt(s.clientState.ordinal());
    out.writeInt(s.serverState.ordinal());
    out.writeLong(s.clientSegments);
    out.writeLong(s.clientBytes);
    out.writeLong(s.serverSegments);
    out.writeLong(s.serverBytes);
    out.writeInt(s.reasons);
    out.writeInt(s.endedBy == null ? -1 : s.endedBy.ordinal());
    out.writeLong(s.synUs);
    out.writeLong(s.handshakeRttUs);
    out.writeLong(s.clientIsn);
    out.writeLong(s.serverIsn);
    out.writeLong(s.clientNextSeq);
    out.writeLong(s.serverNextSeq);
    out.writeLong(s.clientUna);
    out.writeLong(s.serverUna);
    out.writeLong(s.clientTimerUs);
    out.writeLong(s.serverTimerUs);
    out.writeBoolean(s.zeek != null);
    if (s.zeek != null) {
      writeZeek(out, s.zeek);
    }
    out.writeInt(s.nextIndex);
    out.writeInt(s.contextAfter);
    out.writeLong(s.shownDropped);
    out.writeInt(s.shown.size());
    for (KeptSegment k : s.shown) {
      writeKept(out, k);
    }
    out.writeInt(s.recentCount);
    for (int i = 0; i < s.recentCount; i++) {
      writeKept(out, s.recent[(s.recentHead + i) % s.recent.length]);
    }
  }

  /**
   * Restores a session.
   *
   * @throws IllegalArgumentException when the bytes are not a session of this layout
   */
  public static Session decode(byte[] data) {
    StateReader in = new StateReader(data);
    int version = in.readInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("session state of unknown layout version " + version);
    }
    byte[] clientIp = in.readBytes(16, "a client address");
    int addressLength = clientIp.length;
    if (addressLength != 4 && addressLength != 16) {
      throw new IllegalArgumentException("session state with an address of " + addressLength
          + " bytes");
    }
    int clientPort = in.readInt(0, 65535, "client port");
    byte[] serverIp = in.readBytes(16, "a server address");
    if (serverIp.length != addressLength) {
      throw new IllegalArgumentException("session state with addresses of different lengths");
    }
    int serverPort = in.readInt(0, 65535, "server port");
    String observer = in.readString();
    String source = in.readString();
    boolean partial = in.readBoolean();
    int ringSize = in.readInt(1, 65535, "a ring of");
    ZeekView zeek = new ZeekView();
    Session s = new Session(addressLength, clientIp, clientPort, serverIp, serverPort, observer,
        source, partial, ringSize, zeek);
    s.startUs = in.readLong();
    s.lastUs = in.readLong();
    s.clientState = TcpState.of(in.readInt(0, TcpState.values().length - 1, "client state"));
    s.serverState = TcpState.of(in.readInt(0, TcpState.values().length - 1, "server state"));
    s.clientSegments = in.readLong();
    s.clientBytes = in.readLong();
    s.serverSegments = in.readLong();
    s.serverBytes = in.readLong();
    s.reasons = in.readInt();
    int endedBy = in.readInt(-1, EndedBy.values().length - 1, "ended-by");
    s.endedBy = endedBy < 0 ? null : EndedBy.values()[endedBy];
    s.synUs = in.readLong();
    s.handshakeRttUs = in.readLong();
    s.clientIsn = in.readLong();
    s.serverIsn = in.readLong();
    s.clientNextSeq = in.readLong();
    s.serverNextSeq = in.readLong();
    s.clientUna = in.readLong();
    s.serverUna = in.readLong();
    s.clientTimerUs = in.readLong();
    s.serverTimerUs = in.readLong();
    if (in.readBoolean()) {
      readZeek(in, zeek);
    } else {
      s.zeek = null;
    }
    s.nextIndex = in.readInt();
    s.contextAfter = in.readInt();
    s.shownDropped = in.readLong();
    int shown = in.readInt(0, Session.MAX_SHOWN, "shown segments:");
    for (int i = 0; i < shown; i++) {
      s.shown.add(readKept(in));
    }
    int recent = in.readInt(0, s.recent.length, "ring entries:");
    for (int i = 0; i < recent; i++) {
      s.recent[i] = readKept(in);
    }
    s.recentCount = recent;
    s.recentHead = 0;
    if (!in.atEnd()) {
      throw new IllegalArgumentException("session state with bytes after its end");
    }
    return s;
  }

  private static void writeZeek(StateOut out, ZeekView z) {
    out.writeBoolean(z.started);
    out.writeBoolean(z.flipped);
    out.writeLong(z.startUs);
    out.writeLong(z.lastUs);
    out.writeBytes(z.history, 0, z.historyLength);
    out.writeInt(z.histSeen);
    out.writeBoolean(z.partial);
    out.writeInt(z.firstPacketSeen);
    out.writeBoolean(z.active);
    out.writeBoolean(z.handshakeInactivity);
    out.writeLong(z.attemptAtUs);
    out.writeLong(z.deleteAtUs);
    writeEndpoint(out, z.orig);
    writeEndpoint(out, z.resp);
    int earlier = z.earlier == null ? -1 : z.earlier.size();
    out.writeInt(earlier);
    for (int i = 0; i < earlier; i++) {
      ZeekConnection c = z.earlier.get(i);
      out.writeLong(c.startUs());
      out.writeBoolean(c.origIsClient());
      out.writeString(c.connState());
      out.writeString(c.history());
    }
  }

  private static void readZeek(StateReader in, ZeekView z) {
    z.started = in.readBoolean();
    z.flipped = in.readBoolean();
    z.startUs = in.readLong();
    z.lastUs = in.readLong();
    z.history = in.readBytes(ZeekView.MAX_HISTORY, "history letters:");
    z.historyLength = z.history.length;
    z.histSeen = in.readInt();
    z.partial = in.readBoolean();
    z.firstPacketSeen = in.readInt(0, 255, "first packet seen");
    z.active = in.readBoolean();
    z.handshakeInactivity = in.readBoolean();
    z.attemptAtUs = in.readLong();
    z.deleteAtUs = in.readLong();
    readEndpoint(in, z.orig);
    readEndpoint(in, z.resp);
    int earlier = in.readInt(-1, ZeekView.MAX_CONNECTIONS, "Zeek connections:");
    if (earlier >= 0) {
      z.earlier = new java.util.ArrayList<>(earlier + 1);
      for (int i = 0; i < earlier; i++) {
        z.earlier.add(new ZeekConnection(in.readLong(), in.readBoolean(), in.readString(),
            in.readString()));
      }
    }
  }

  private static void writeEndpoint(StateOut out, ZeekEndpoint e) {
    out.writeInt(e.state.ordinal());
    out.writeInt(e.prevState.ordinal());
    out.writeInt(e.startSeq);
    out.writeInt(e.lastSeq);
    out.writeInt(e.ackSeq);
    out.writeInt(e.histLastSyn);
    out.writeInt(e.histLastFin);
    out.writeInt(e.histLastRst);
    out.writeInt(e.finCount);
    out.writeInt(e.finSeq);
    out.writeInt(e.retransmits);
    out.writeInt(e.zeroWindows);
    out.writeInt(e.gaps);
    out.writeInt(e.badChecksums);
    out.writeInt(e.reassembled);
    out.writeInt(e.trimmed);
    out.writeInt(e.aboveHoleStart);
    out.writeInt(e.aboveHoleEnd);
    out.writeBoolean(e.didClose);
  }

  private static void readEndpoint(StateReader in, ZeekEndpoint e) {
    e.state = EndpointState.of(in.readInt(0, EndpointState.values().length - 1, "Zeek endpoint state"));
    e.prevState = EndpointState.of(in.readInt(0, EndpointState.values().length - 1, "Zeek endpoint state"));
    e.startSeq = in.readInt();
    e.lastSeq = in.readInt();
    e.ackSeq = in.readInt();
    e.histLastSyn = in.readInt();
    e.histLastFin = in.readInt();
    e.histLastRst = in.readInt();
    e.finCount = in.readInt();
    e.finSeq = in.readInt();
    e.retransmits = in.readInt();
    e.zeroWindows = in.readInt();
    e.gaps = in.readInt();
    e.badChecksums = in.readInt();
    e.reassembled = in.readInt();
    e.trimmed = in.readInt();
    e.aboveHoleStart = in.readInt();
    e.aboveHoleEnd = in.readInt();
    e.didClose = in.readBoolean();
  }

  private static void writeKept(StateOut out, KeptSegment k) {
    out.writeInt(k.index);
    out.writeLong(k.tsUs);
    out.writeBoolean(k.fromClient);
    out.writeInt(k.flags);
    out.writeLong(k.seq);
    out.writeLong(k.ack);
    out.writeInt(k.frameLength);
    out.writeInt(k.payloadLength);
    out.writeBoolean(k.fragment);
    out.writeBytes(k.options, 0, k.optionsLength);
    out.writeInt(k.clientState.ordinal());
    out.writeInt(k.serverState.ordinal());
    out.writeInt(k.mark.ordinal());
    out.writeBoolean(k.http != null);
    if (k.http != null) {
      out.writeString(k.http);
    }
  }

  private static KeptSegment readKept(StateReader in) {
    KeptSegment k = new KeptSegment();
    k.index = in.readInt();
    k.tsUs = in.readLong();
    k.fromClient = in.readBoolean();
    k.flags = in.readInt(0, 0xffff, "flags");
    k.seq = in.readLong() & 0xffffffffL;
    k.ack = in.readLong() & 0xffffffffL;
    k.frameLength = in.readInt();
    k.payloadLength = in.readInt();
    k.fragment = in.readBoolean();
    k.options = in.readBytes(60, "TCP options:");
    k.optionsLength = k.options.length;
    k.clientState = TcpState.of(in.readInt(0, TcpState.values().length - 1, "client state"));
    k.serverState = TcpState.of(in.readInt(0, TcpState.values().length - 1, "server state"));
    k.mark = Mark.of(in.readInt(0, Mark.values().length - 1, "mark"));
    k.http = in.readBoolean() ? in.readString() : null;
    return k;
  }
}
