package dev.tcpscope.session.engine;

import static dev.tcpscope.session.engine.Conversation.ACK;
import static dev.tcpscope.session.engine.Conversation.FIN;
import static dev.tcpscope.session.engine.Conversation.PSH;
import static dev.tcpscope.session.engine.Conversation.RST;
import static dev.tcpscope.session.engine.Conversation.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Zeek's conn_state and history as Zeek's TCP analyzer would write them, scenario by scenario. */
class ZeekViewTest {
  private final List<SessionReport> reports = new ArrayList<>();
  private final Conversation c = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);
  private final SessionTable table =
      new SessionTable(RuleSettings.defaults().withAll(true), "obs", reports::add);

  private SessionReport only(Segment... segments) {
    for (Segment s : segments) {
      table.onSegment(s);
    }
    table.endOfCapture();
    assertThat(reports).hasSize(1);
    return reports.get(0);
  }

  @Test
  void aRstAfterBothFinsIsStillANormalClose() {
    SessionReport r = only(
        c.fromClient(SYN, 100, 0, 0),
        c.after(10).fromServer(SYN | ACK, 900, 101, 0),
        c.after(10).fromClient(ACK, 101, 901, 0),
        c.after(10).fromClient(ACK | PSH, 101, 901, 10),
        c.after(10).fromServer(ACK | FIN, 901, 111, 0),
        c.after(10).fromClient(ACK | FIN, 111, 902, 0),
        c.after(10).fromServer(RST, 902, 0, 0));
    assertThat(r.connState()).isEqualTo("SF");
    assertThat(r.history()).isEqualTo("ShADfFr");
  }

  @Test
  void aSynAckSeenFirstFlipsTheRolesAndTheAckEstablishesBothSides() {
    SessionReport r = only(
        c.fromServer(SYN | ACK, 900, 101, 0),
        c.after(10).fromClient(ACK, 101, 901, 0),
        c.after(10).fromClient(ACK | PSH, 101, 901, 20),
        c.after(10).fromServer(ACK | PSH, 901, 121, 30));
    assertThat(r.partial()).isTrue();
    assertThat(r.clientPort()).isEqualTo(40000);
    assertThat(r.history()).isEqualTo("^hADd");
    assertThat(r.connState()).isEqualTo("S1");
  }

  @Test
  void aSynAckCapturedBeforeItsSynIsOneSession() {
    Segment synAck = c.fromServer(SYN | ACK, 900, 101, 0);
    Segment syn = c.after(5).fromClient(SYN, 100, 0, 0);
    SessionReport r = only(synAck, syn,
        c.after(10).fromClient(ACK, 101, 901, 0),
        c.after(10).fromClient(ACK | PSH, 101, 901, 20),
        c.after(10).fromServer(ACK | PSH, 901, 121, 30),
        c.after(10).fromClient(ACK | FIN, 121, 931, 0),
        c.after(10).fromServer(ACK | FIN, 931, 122, 0),
        c.after(10).fromClient(ACK, 122, 932, 0));
    assertThat(r.segments()).isEqualTo(8);
    assertThat(r.connState()).isEqualTo("SF");
    assertThat(r.history()).isEqualTo("^hSADdFf");
  }

  @Test
  void anAttemptUnansweredFor5SecondsEndsZeeksConnectionAndTheRestIsAnother() {
    SessionReport r = only(
        c.fromClient(SYN, 100, 0, 0),
        c.after(100_000).fromClient(ACK, 101, 901, 0),
        c.after(100_000).fromClient(ACK | PSH, 101, 901, 50),
        c.after(6_000_000).fromClient(ACK | PSH, 151, 901, 50),
        c.after(100_000).fromClient(ACK | FIN, 201, 901, 0));
    assertThat(r.connState()).isEqualTo("S0");
    assertThat(r.history()).isEqualTo("SAD");
    assertThat(r.zeekConnections()).extracting(ZeekConnection::connState,
        ZeekConnection::history, ZeekConnection::origIsClient).containsExactly(
            org.assertj.core.groups.Tuple.tuple("S0", "SAD", true),
            org.assertj.core.groups.Tuple.tuple("SH", "DF", true));
    assertThat(r.zeekConnections().get(1).startUs()).isEqualTo(r.startUs() + 6_200_000);
  }

  @Test
  void resentDataIsARetransmissionButAResentFinIsNot() {
    SessionReport r = only(
        c.fromClient(SYN, 100, 0, 0),
        c.after(10).fromServer(SYN | ACK, 900, 101, 0),
        c.after(10).fromClient(ACK, 101, 901, 0),
        c.after(10).fromClient(ACK | PSH, 101, 901, 10),
        c.after(10).fromClient(ACK | PSH, 101, 901, 10),
        c.after(10).fromClient(ACK | FIN, 111, 901, 0),
        c.after(10).fromClient(ACK | FIN, 111, 901, 0));
    assertThat(r.history()).isEqualTo("ShADTF");
    assertThat(r.connState()).isEqualTo("S2");
  }

  @Test
  void aBadChecksumIsCountedAndOtherwiseIgnored() {
    Segment syn = c.fromClient(SYN, 100, 0, 0);
    Segment bad = c.after(10).fromServer(SYN | ACK, 900, 101, 0);
    bad.badChecksum = true;
    SessionReport r = only(syn, bad);
    assertThat(r.history()).isEqualTo("Sc");
    assertThat(r.connState()).isEqualTo("S0");
  }

  @Test
  void zeroWindowsAndContentGapsAreLogarithmicLetters() {
    Segment syn = c.fromClient(SYN, 100, 0, 0);
    Segment synAck = c.after(10).fromServer(SYN | ACK, 900, 101, 0);
    Segment ack = c.after(10).fromClient(ACK, 101, 901, 0);
    Segment data = c.after(10).fromClient(ACK | PSH, 101, 901, 10);
    Segment zero = c.after(10).fromServer(ACK, 901, 111, 0);
    zero.window = 0;
    Segment truncated = c.after(10).fromServer(ACK | PSH, 901, 111, 1000);
    truncated.payloadTruncated = true; // the capture kept only its headers
    Segment acked = c.after(10).fromClient(ACK, 111, 1901, 0);
    SessionReport r = only(syn, synAck, ack, data, zero, truncated, acked);
    assertThat(r.history()).isEqualTo("ShADawdg");
  }
}
