package dev.tcpscope.session.engine;

import static dev.tcpscope.session.engine.Conversation.ACK;
import static dev.tcpscope.session.engine.Conversation.PSH;
import static dev.tcpscope.session.engine.Conversation.RST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionStateCodecTest {

  /** A session stored and reloaded after every segment ends exactly as one kept in memory. */
  @Test
  void sessionThroughTheCodecAfterEverySegmentReportsWhatTheInMemoryOneReports() {
    RuleSettings rules = new RuleSettings(0, 0, 1000, true, 1, true, false, 100, 1000, 1, false);
    Conversation c = new Conversation("fd00::1", 40000, "fd00::2", 443);
    List<Segment> segments = new ArrayList<>(c.cleanSession(1000, 5000).subList(0, 5));
    segments.add(c.after(1_500_000).fromServer(ACK | PSH, 5001, 1101, 500)); // late retransmit
    segments.add(c.after(100).fromClient(ACK, 1101, 5501, 0));
    segments.add(c.after(100).fromClient(RST | ACK, 1101, 5501, 0));

    List<SessionReport> inMemory = new ArrayList<>();
    SessionEngine memoryEngine = new SessionEngine(rules, inMemory::add);
    Session slot = null;
    for (Segment s : segments) {
      slot = memoryEngine.onSegment(slot, s, "obs", "src");
    }

    List<SessionReport> stored = new ArrayList<>();
    SessionEngine storeEngine = new SessionEngine(rules, stored::add);
    byte[] bytes = null;
    for (Segment s : segments) {
      Session current = bytes == null ? null : SessionStateCodec.decode(bytes);
      Session next = storeEngine.onSegment(current, s, "obs", "src");
      bytes = next == null ? null : SessionStateCodec.encode(next);
    }

    assertThat(inMemory).hasSize(1);
    assertThat(stored).containsExactlyElementsOf(inMemory);
    assertThat(inMemory.get(0).reasons()).containsExactly("RST", "RETRANSMIT");
  }

  @Test
  void encodingIsStableAcrossARoundTrip() {
    RuleSettings rules = RuleSettings.defaults();
    Conversation c = new Conversation("10.1.1.1", 1025, "10.1.1.2", 22);
    SessionEngine engine = new SessionEngine(rules, r -> { });
    Session slot = null;
    for (Segment s : c.cleanSession(42, 4242).subList(0, 6)) {
      slot = engine.onSegment(slot, s, "obs", "src");
    }
    byte[] once = SessionStateCodec.encode(slot);
    byte[] twice = SessionStateCodec.encode(SessionStateCodec.decode(once));
    assertThat(twice).isEqualTo(once);
    // An open session without kept display data stays small.
    assertThat(once.length).isLessThan(1024);
  }

  @Test
  void damagedStateIsRejectedWithAClearError() {
    RuleSettings rules = RuleSettings.defaults();
    Conversation c = new Conversation("10.1.1.1", 1025, "10.1.1.2", 22);
    Session slot = new SessionEngine(rules, r -> { }).onSegment(null,
        c.cleanSession(42, 4242).get(0), "obs", "src");
    byte[] bytes = SessionStateCodec.encode(slot);
    assertThatThrownBy(() -> SessionStateCodec.decode(Arrays.copyOf(bytes, bytes.length / 2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    byte[] otherVersion = bytes.clone();
    otherVersion[0] = 9 << 1; // zig-zag 9
    assertThatThrownBy(() -> SessionStateCodec.decode(otherVersion))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 9");
  }

  private static Session established(int dataSegments) {
    RuleSettings rules = new RuleSettings(0, 0, 1000, true, 1, true, false, 100, 1000, 2, false);
    Conversation c = new Conversation("fd00::1", 40000, "fd00::2", 443);
    SessionEngine engine = new SessionEngine(rules, r -> { });
    Session slot = null;
    List<Segment> segments = new ArrayList<>(c.cleanSession(1000, 5000).subList(0, 3));
    for (int i = 0; i < dataSegments; i++) {
      segments.add(c.after(1_500_000).fromServer(ACK | PSH, 5001, 1001, 500)); // resent late
    }
    for (Segment s : segments) {
      slot = engine.onSegment(slot, s, "obs-ホスト", "/captures/a.pcap");
    }
    return slot;
  }

  @Test
  void theLayoutIsAvrosBinaryEncodingByteForByte() throws Exception {
    for (int data = 0; data < 6; data++) {
      Session session = established(data);
      java.io.ByteArrayOutputStream avroBytes = new java.io.ByteArrayOutputStream();
      org.apache.avro.io.BinaryEncoder encoder =
          org.apache.avro.io.EncoderFactory.get().binaryEncoder(avroBytes, null);
      SessionStateCodec.encode(session, new dev.tcpscope.session.wire.AvroStateOut(encoder));
      encoder.flush();
      assertThat(SessionStateCodec.encode(session)).isEqualTo(avroBytes.toByteArray());
    }
  }

  @Test
  void everyTruncationAndRandomDamageIsAnIllegalArgumentNeverAnotherException() {
    byte[] bytes = SessionStateCodec.encode(established(4));
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> SessionStateCodec.decode(truncated))
          .isInstanceOf(IllegalArgumentException.class);
    }
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < 20_000; i++) {
      byte[] damaged = bytes.clone();
      for (int k = 0; k < 3; k++) {
        damaged[r.nextInt(damaged.length)] = (byte) r.nextInt();
      }
      try {
        SessionStateCodec.decode(damaged);
      } catch (IllegalArgumentException expected) {
        // refused with a reason, or it still decodes (a changed number)
      }
    }
  }
}
