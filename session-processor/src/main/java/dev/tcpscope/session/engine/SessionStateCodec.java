package dev.tcpscope.session.engine;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * A session's whole state as bytes, for a state store and its changelog: a version byte,
 * then every field in a fixed order. Hand-written rather than Avro because the layout is
 * internal (never read by another program) and is written for every active session at
 * every commit.
 */
public final class SessionStateCodec {
  private static final int VERSION = 2;

  private SessionStateCodec() {}

  public static byte[] encode(Session s) {
    StateWriter out = new StateWriter(256 + (s.shown.size() + s.recentCount) * 48);
    out.writeByte(VERSION);
    out.writeByte(s.addressLength);
    out.write(s.clientIp);
    out.writeShort(s.clientPort);
    out.write(s.serverIp);
    out.writeShort(s.serverPort);
    out.writeUTF(s.observer);
    out.writeUTF(s.source);
    out.writeBoolean(s.partial);
    out.writeShort(s.recent.length);
    out.writeLong(s.startUs);
    out.writeLong(s.lastUs);
    out.writeByte(s.clientState.ordinal());
    out.writeByte(s.serverState.ordinal());
    out.writeLong(s.clientSegments);
    out.writeLong(s.clientBytes);
    out.writeLong(s.serverSegments);
    out.writeLong(s.serverBytes);
    out.writeInt(s.reasons);
    out.writeByte(s.endedBy == null ? -1 : s.endedBy.ordinal());
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
    out.writeShort(s.recentCount);
    for (int i = 0; i < s.recentCount; i++) {
      writeKept(out, s.recent[(s.recentHead + i) % s.recent.length]);
    }
    return out.toByteArray();
  }

  /**
   * Restores a session.
   *
   * @throws IllegalArgumentException when the bytes are not a session of this layout
   */
  public static Session decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      int version = in.readUnsignedByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("session state of unknown layout version " + version);
      }
      int addressLength = in.readUnsignedByte();
      byte[] clientIp = in.readNBytes(addressLength);
      int clientPort = in.readUnsignedShort();
      byte[] serverIp = in.readNBytes(addressLength);
      int serverPort = in.readUnsignedShort();
      String observer = in.readUTF();
      String source = in.readUTF();
      boolean partial = in.readBoolean();
      int ringSize = in.readUnsignedShort();
      ZeekView zeek = new ZeekView();
      Session s = new Session(addressLength, clientIp, clientPort, serverIp, serverPort, observer,
          source, partial, ringSize, zeek);
      s.startUs = in.readLong();
      s.lastUs = in.readLong();
      s.clientState = TcpState.of(in.readUnsignedByte());
      s.serverState = TcpState.of(in.readUnsignedByte());
      s.clientSegments = in.readLong();
      s.clientBytes = in.readLong();
      s.serverSegments = in.readLong();
      s.serverBytes = in.readLong();
      s.reasons = in.readInt();
      int endedBy = in.readByte();
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
      int shown = in.readInt();
      if (shown < 0 || shown > Session.MAX_SHOWN) {
        throw new IllegalArgumentException("session state with " + shown + " shown segments");
      }
      for (int i = 0; i < shown; i++) {
        s.shown.add(readKept(in));
      }
      int recent = in.readUnsignedShort();
      if (recent > s.recent.length) {
        throw new IllegalArgumentException("session state with an overfull ring");
      }
      for (int i = 0; i < recent; i++) {
        s.recent[i] = readKept(in);
      }
      s.recentCount = recent;
      s.recentHead = 0;
      return s;
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("truncated or damaged session state: " + e, e);
    }
  }

  private static void writeZeek(StateWriter out, ZeekView z) {
    out.writeBoolean(z.started);
    out.writeBoolean(z.flipped);
    out.writeLong(z.startUs);
    out.writeLong(z.lastUs);
    out.writeByte(z.historyLength);
    out.write(z.history, 0, z.historyLength);
    out.writeInt(z.histSeen);
    out.writeBoolean(z.partial);
    out.writeByte(z.firstPacketSeen);
    out.writeBoolean(z.active);
    out.writeBoolean(z.handshakeInactivity);
    out.writeLong(z.attemptAtUs);
    out.writeLong(z.deleteAtUs);
    writeEndpoint(out, z.orig);
    writeEndpoint(out, z.resp);
    int earlier = z.earlier == null ? -1 : z.earlier.size();
    out.writeByte(earlier);
    for (int i = 0; i < earlier; i++) {
      ZeekConnection c = z.earlier.get(i);
      out.writeLong(c.startUs());
      out.writeBoolean(c.origIsClient());
      out.writeUTF(c.connState());
      out.writeUTF(c.history());
    }
  }

  private static void readZeek(DataInputStream in, ZeekView z) throws IOException {
    z.started = in.readBoolean();
    z.flipped = in.readBoolean();
    z.startUs = in.readLong();
    z.lastUs = in.readLong();
    int letters = in.readUnsignedByte();
    if (letters > ZeekView.MAX_HISTORY) {
      throw new IllegalArgumentException("session state with " + letters + " history letters");
    }
    z.history = in.readNBytes(letters);
    z.historyLength = letters;
    z.histSeen = in.readInt();
    z.partial = in.readBoolean();
    z.firstPacketSeen = in.readUnsignedByte();
    z.active = in.readBoolean();
    z.handshakeInactivity = in.readBoolean();
    z.attemptAtUs = in.readLong();
    z.deleteAtUs = in.readLong();
    readEndpoint(in, z.orig);
    readEndpoint(in, z.resp);
    int earlier = in.readByte();
    if (earlier > ZeekView.MAX_CONNECTIONS) {
      throw new IllegalArgumentException("session state with " + earlier + " Zeek connections");
    }
    if (earlier >= 0) {
      z.earlier = new java.util.ArrayList<>(earlier + 1);
      for (int i = 0; i < earlier; i++) {
        z.earlier.add(new ZeekConnection(in.readLong(), in.readBoolean(), in.readUTF(),
            in.readUTF()));
      }
    }
  }

  private static void writeEndpoint(StateWriter out, ZeekEndpoint e) {
    out.writeByte(e.state.ordinal());
    out.writeByte(e.prevState.ordinal());
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

  private static void readEndpoint(DataInputStream in, ZeekEndpoint e) throws IOException {
    e.state = EndpointState.of(in.readUnsignedByte());
    e.prevState = EndpointState.of(in.readUnsignedByte());
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

  private static void writeKept(StateWriter out, KeptSegment k) {
    out.writeInt(k.index);
    out.writeLong(k.tsUs);
    out.writeBoolean(k.fromClient);
    out.writeShort(k.flags);
    out.writeInt((int) k.seq);
    out.writeInt((int) k.ack);
    out.writeInt(k.frameLength);
    out.writeInt(k.payloadLength);
    out.writeBoolean(k.fragment);
    out.writeByte(k.optionsLength);
    out.write(k.options, 0, k.optionsLength);
    out.writeByte(k.clientState.ordinal());
    out.writeByte(k.serverState.ordinal());
    out.writeByte(k.mark.ordinal());
    out.writeBoolean(k.http != null);
    if (k.http != null) {
      out.writeUTF(k.http);
    }
  }

  private static KeptSegment readKept(DataInputStream in) throws IOException {
    KeptSegment k = new KeptSegment();
    k.index = in.readInt();
    k.tsUs = in.readLong();
    k.fromClient = in.readBoolean();
    k.flags = in.readUnsignedShort();
    k.seq = in.readInt() & 0xffffffffL;
    k.ack = in.readInt() & 0xffffffffL;
    k.frameLength = in.readInt();
    k.payloadLength = in.readInt();
    k.fragment = in.readBoolean();
    k.optionsLength = in.readUnsignedByte();
    k.options = in.readNBytes(k.optionsLength);
    k.clientState = TcpState.of(in.readUnsignedByte());
    k.serverState = TcpState.of(in.readUnsignedByte());
    k.mark = Mark.of(in.readUnsignedByte());
    k.http = in.readBoolean() ? in.readUTF() : null;
    return k;
  }
}
