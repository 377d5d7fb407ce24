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

class SessionTableTest {
  private final List<SessionReport> reports = new ArrayList<>();
  private final Conversation c = new Conversation("10.0.0.1", 40000, "10.0.0.2", 80);

  private SessionTable table(RuleSettings rules) {
    SessionTable table = new SessionTable(rules, "host-a", reports::add);
    table.source("test.pcap");
    return table;
  }

  private static RuleSettings defaults() {
    return RuleSettings.defaults();
  }

  private void feed(SessionTable table, List<Segment> segments) {
    segments.forEach(table::onSegment);
  }

  @Test
  void cleanSessionIsNotReportedButWithAllItIsReportedClosedWithZeekSf() {
    SessionTable table = table(defaults());
    feed(table, c.cleanSession(1000, 5000));
    assertThat(reports).isEmpty();
    assertThat(table.stats().sessions()).isEqualTo(1);
    assertThat(table.stats().open()).isZero();

    reports.clear();
    SessionTable all = table(defaults().withAll(true));
    feed(all, new Conversation("10.0.0.1", 40001, "10.0.0.2", 80).cleanSession(1000, 5000));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).isEmpty();
      assertThat(r.endedBy()).isEqualTo("close");
      assertThat(r.connState()).isEqualTo("SF");
      // the server never sends a pure ACK in this conversation, so no 'a'
      assertThat(r.history()).isEqualTo("ShADdFf");
      assertThat(r.clientState()).isEqualTo("TIME_WAIT");
      assertThat(r.serverState()).isEqualTo("CLOSED");
      assertThat(r.segments()).isEqualTo(9);
      assertThat(r.clientSegments()).isEqualTo(6);
      assertThat(r.serverSegments()).isEqualTo(3);
      assertThat(r.handshakeRttUs()).isEqualTo(400L);
      assertThat(r.partial()).isFalse();
    });
  }

  @Test
  void refusedConnectionIsReportedAsRstAndZeekRej() {
    SessionTable table = table(defaults());
    table.onSegment(c.fromClient(SYN, 77, 0, 0));
    table.onSegment(c.after(150).fromServer(RST | ACK, 0, 78, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("RST");
      assertThat(r.connState()).isEqualTo("REJ");
      assertThat(r.history()).isEqualTo("Sr");
      assertThat(r.endedBy()).isEqualTo("rst");
      assertThat(r.clientIp()).isEqualTo("10.0.0.1");
      assertThat(r.serverPort()).isEqualTo(80);
      assertThat(r.shown()).extracting(ShownLine::flagText).containsExactly("----S-", "-A-R--");
      assertThat(r.shown().get(1).mark()).isEqualTo(Mark.FLAGGED);
      assertThat(r.shown().get(1).clientState()).isEqualTo("CLOSED");
    });
  }

  @Test
  void rstModeZeroIgnoresRsts() {
    RuleSettings ignore = new RuleSettings(0, 0, 1000, true, 0, true, false, 100, 1000, 0, false);
    SessionTable table = table(ignore);
    table.onSegment(c.fromClient(SYN, 77, 0, 0));
    table.onSegment(c.after(150).fromServer(RST | ACK, 0, 78, 0));
    assertThat(reports).isEmpty();
  }

  /** A RST while one side is CLOSE_WAIT and the other FIN_WAIT2: harmless under -R 1. */
  private List<Segment> rstDuringClose(Conversation conv) {
    List<Segment> s = new ArrayList<>(conv.cleanSession(1000, 5000).subList(0, 7)); // up to client FIN
    s.add(conv.after(100).fromServer(ACK, 5501, 1102, 0)); // server acks the FIN: CLOSE_WAIT/FIN_WAIT2
    s.add(conv.after(100).fromServer(RST | ACK, 5501, 1102, 0));
    return s;
  }

  @Test
  void rstDuringCloseIsReportedOnlyWithRstModeTwo() {
    feed(table(defaults()), rstDuringClose(c));
    assertThat(reports).isEmpty();

    RuleSettings all = new RuleSettings(0, 0, 1000, true, 2, true, false, 100, 1000, 0, false);
    feed(table(all), rstDuringClose(new Conversation("10.0.0.1", 40002, "10.0.0.2", 80)));
    assertThat(reports).singleElement().satisfies(r ->
        assertThat(r.reasons()).containsExactly("RST_AFTER_FIN"));
  }

  @Test
  void rstOfAnEstablishedSessionIsReportedWithTheSegmentsBetweenElided() {
    SessionTable table = table(defaults());
    List<Segment> s = c.cleanSession(1000, 5000).subList(0, 6);
    feed(table, s);
    table.onSegment(c.after(1000).fromServer(RST | ACK, 5501, 1101, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("RST");
      assertThat(r.connState()).isEqualTo("RSTR");
      // SYN, SYN/ACK and the ACK that completes the handshake, then the RST: data is elided.
      assertThat(r.shown()).extracting(ShownLine::index).containsExactly(0, 1, 2, 6);
    });
  }

  @Test
  void viewDataShowsContextAroundTheFlaggedSegment() {
    RuleSettings context = new RuleSettings(0, 0, 1000, true, 1, true, false, 100, 1000, 2, false);
    SessionTable table = table(context);
    feed(table, c.cleanSession(1000, 5000).subList(0, 6));
    table.onSegment(c.after(1000).fromServer(RST | ACK, 5501, 1101, 0));
    assertThat(reports).singleElement().satisfies(r ->
        assertThat(r.shown()).extracting(ShownLine::index).containsExactly(0, 1, 2, 3, 4, 5, 6));
  }

  @Test
  void lateRetransmissionIsReportedWithBothCopiesAndQuickOnesAreNot() {
    SessionTable table = table(defaults());
    List<Segment> s = c.cleanSession(1000, 5000);
    feed(table, s.subList(0, 4)); // handshake + request
    table.onSegment(c.after(300).fromServer(ACK | PSH, 5001, 1101, 500)); // response, lost
    table.onSegment(c.after(200_000).fromServer(ACK | PSH, 5001, 1101, 500)); // quick resend: ignored
    table.onSegment(c.after(1_100_000).fromServer(ACK | PSH, 5001, 1101, 500)); // 1.3 s after
    feed(table, s.subList(5, 9));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("RETRANSMIT");
      assertThat(r.segments()).isEqualTo(11); // every copy counted, unlike miruo
      assertThat(r.history()).contains("t");
      assertThat(r.shown()).filteredOn(l -> l.mark() == Mark.FLAGGED).singleElement()
          .satisfies(l -> assertThat(l.index()).isEqualTo(6));
      assertThat(r.shown()).filteredOn(l -> l.mark() == Mark.ORIGINAL).singleElement()
          .satisfies(l -> assertThat(l.index()).isEqualTo(4));
      assertThat(r.endedBy()).isEqualTo("close");
    });
  }

  @Test
  void retransmitZeroIgnoresDataRetransmissions() {
    RuleSettings off = new RuleSettings(0, 0, 0, true, 1, true, false, 100, 1000, 0, false);
    SessionTable table = table(off);
    List<Segment> s = c.cleanSession(1000, 5000);
    feed(table, s.subList(0, 5));
    table.onSegment(c.after(3_000_000).fromServer(ACK | PSH, 5001, 1101, 500));
    feed(table, s.subList(5, 9));
    assertThat(reports).isEmpty();
  }

  @Test
  void keepAliveIsNotARetransmission() {
    SessionTable table = table(defaults());
    List<Segment> s = c.cleanSession(1000, 5000);
    feed(table, s.subList(0, 6));
    table.onSegment(c.after(5_000_000).fromClient(ACK, 1100, 5501, 1)); // keep-alive probe
    table.onSegment(c.after(100).fromServer(ACK, 5501, 1101, 0));
    feed(table, s.subList(6, 9));
    assertThat(reports).isEmpty();
  }

  @Test
  void unansweredSynRetransmissionsAreReportedAtEndOfCaptureAsS0() {
    SessionTable table = table(defaults());
    table.onSegment(c.fromClient(SYN, 42, 0, 0));
    table.onSegment(c.after(1_000_000).fromClient(SYN, 42, 0, 0));
    table.onSegment(c.after(2_000_000).fromClient(SYN, 42, 0, 0));
    assertThat(reports).isEmpty();
    table.endOfCapture();
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("SYN_RETRANSMIT");
      assertThat(r.connState()).isEqualTo("S0");
      assertThat(r.history()).isEqualTo("S");
      assertThat(r.endedBy()).isEqualTo("end_of_capture");
      assertThat(r.segments()).isEqualTo(3);
    });
  }

  @Test
  void openSessionWithoutAnyRuleIsNotReportedAtEndOfCapture() {
    SessionTable table = table(defaults());
    feed(table, c.cleanSession(1000, 5000).subList(0, 5));
    table.endOfCapture();
    assertThat(reports).isEmpty();
  }

  @Test
  void halfOpenSessionTimesOutAfterThirtySecondsOfCaptureClock() {
    SessionTable table = table(defaults());
    table.onSegment(c.fromClient(SYN, 42, 0, 0));
    Conversation other = new Conversation("10.0.0.9", 50000, "10.0.0.2", 443);
    other.nowUs = c.nowUs + 29_000_000;
    table.onSegment(other.fromClient(SYN, 7, 0, 0));
    assertThat(reports).isEmpty();
    other.after(2_000_000);
    table.onSegment(other.fromServer(SYN | ACK, 9, 8, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("TIMEOUT");
      assertThat(r.clientPort()).isEqualTo(40000);
      assertThat(r.endedBy()).isEqualTo("timeout");
    });
  }

  @Test
  void establishedSessionSurvivesThirtySecondsButNotNineHundred() {
    SessionTable table = table(defaults());
    feed(table, c.cleanSession(1000, 5000).subList(0, 6));
    table.advanceClock(c.nowUs + 60_000_000);
    assertThat(reports).isEmpty();
    table.advanceClock(c.nowUs + 901_000_000);
    assertThat(reports).singleElement().satisfies(r ->
        assertThat(r.reasons()).containsExactly("TIMEOUT"));
  }

  @Test
  void aCloseThatStallsTimesOutAfterThirtySecondsHoweverLongItWasEstablished() {
    SessionTable table = table(defaults());
    List<Segment> s = c.cleanSession(1000, 5000);
    feed(table, s.subList(0, 6)); // established since the handshake: a 900 s deadline
    table.advanceClock(c.nowUs + 60_000_000);
    table.onSegment(c.after(60_000_000).fromClient(ACK | FIN, 1101, 5501, 0));
    table.onSegment(c.after(100).fromServer(ACK, 5501, 1102, 0)); // CLOSE_WAIT: 30 s now
    table.advanceClock(c.nowUs + 29_000_000);
    assertThat(reports).isEmpty();
    // nothing else for 31 s: the deadline that moved from 900 s to 30 s is kept
    table.onSegment(later(c.nowUs + 31_000_000));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("TIMEOUT");
      assertThat(r.serverState()).isEqualTo("CLOSE_WAIT");
    });
  }

  /** An unrelated segment at that capture time, to move the clock. */
  private static Segment later(long tsUs) {
    Conversation other = new Conversation("10.0.0.7", 1234, "10.0.0.8", 80);
    other.nowUs = tsUs;
    return other.fromClient(SYN, 1, 0, 0);
  }

  @Test
  void newSynWithAnotherIsnOnAnOpenSessionIsADuplicateSyn() {
    SessionTable table = table(defaults());
    feed(table, c.cleanSession(1000, 5000).subList(0, 5));
    table.onSegment(c.after(1000).fromClient(SYN, 900_000, 0, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("DUPLICATE_SYN");
      assertThat(r.endedBy()).isEqualTo("duplicate_syn");
    });
    assertThat(table.stats().sessions()).isEqualTo(2);
    assertThat(table.stats().open()).isEqualTo(1);
  }

  @Test
  void portReuseAfterCloseStartsANewSessionAndLateSegmentsAreAbsorbed() {
    SessionTable table = table(defaults().withAll(true));
    feed(table, c.cleanSession(1000, 5000));
    table.onSegment(c.after(100).fromServer(ACK | FIN, 5501, 1102, 0)); // late copy
    assertThat(table.stats().lateSegments()).isEqualTo(1);
    feed(table, c.after(1_000_000).cleanSession(777_000, 888_000));
    assertThat(reports).hasSize(2);
    assertThat(reports.get(1).startUs()).isGreaterThan(reports.get(0).endUs());
    assertThat(reports.get(1).sessionId()).isNotEqualTo(reports.get(0).sessionId());
  }

  @Test
  void sessionFirstSeenMidStreamIsPartialWithTheClientTalkingToTheLowerPort() {
    SessionTable table = table(defaults());
    table.onSegment(c.fromServer(ACK | PSH, 5001, 1101, 500));
    table.onSegment(c.after(100).fromClient(ACK, 1101, 5501, 0));
    table.onSegment(c.after(100).fromClient(RST | ACK, 1101, 5501, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.partial()).isTrue();
      assertThat(r.clientPort()).isEqualTo(40000);
      assertThat(r.serverPort()).isEqualTo(80);
      assertThat(r.reasons()).containsExactly("RST");
      // Zeek counts a mid-stream (partial) endpoint as inactive: an originator reset with an
      // inactive responder and no SYN in the history is OTH, not RSTO. The first segment came
      // from the server's port, so Zeek flipped the roles at once ('^').
      assertThat(r.connState()).isEqualTo("OTH");
      assertThat(r.history()).isEqualTo("^dAR");
    });
  }

  @Test
  void fragmentedSegmentFlagsTheSession() {
    SessionTable table = table(defaults());
    List<Segment> s = c.cleanSession(1000, 5000);
    s.get(3).fragmented = true;
    feed(table, s);
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("FRAGMENT");
      assertThat(r.shown()).anySatisfy(l -> {
        assertThat(l.fragment()).isTrue();
        assertThat(l.mark()).isEqualTo(Mark.FLAGGED);
      });
    });
  }

  @Test
  void longConnectAndLongDelayFollowTheirThresholds() {
    RuleSettings rules = new RuleSettings(1000, 500, 1000, true, 1, true, false, 100, 1000, 0, false);
    SessionTable table = table(rules);
    List<Segment> s = c.cleanSession(1000, 5000);
    feed(table, s.subList(0, 4));
    c.after(2_000_000);
    for (Segment later : s.subList(4, 9)) {
      later.tsUs += 2_000_000;
    }
    feed(table, s.subList(4, 9));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.reasons()).containsExactly("LONG_CONNECT", "LONG_DELAY");
      // both segments around the gap are shown
      assertThat(r.shown()).extracting(ShownLine::index).contains(3, 4);
    });
  }

  @Test
  void sessionLimitDropsNewSessionsAndCountsThem() {
    RuleSettings rules = new RuleSettings(0, 0, 1000, true, 1, true, false, 1, 1000, 0, false);
    SessionTable table = table(rules);
    table.onSegment(c.fromClient(SYN, 1, 0, 0));
    Conversation other = new Conversation("10.0.0.3", 1234, "10.0.0.2", 80);
    table.onSegment(other.fromClient(SYN, 1, 0, 0));
    assertThat(table.stats().droppedSessions()).isEqualTo(1);
    assertThat(table.stats().open()).isEqualTo(1);
  }

  @Test
  void ipv6SessionsAreTrackedWithCompressedAddresses() {
    Conversation v6 = new Conversation("fd77::1", 50000, "fd77::2", 8002);
    SessionTable table = table(defaults());
    table.onSegment(v6.fromClient(SYN, 5, 0, 0));
    table.onSegment(v6.after(10).fromServer(RST | ACK, 0, 6, 0));
    assertThat(reports).singleElement().satisfies(r -> {
      assertThat(r.clientIp()).isEqualTo("fd77::1");
      assertThat(r.serverIp()).isEqualTo("fd77::2");
    });
  }

  @Test
  void sequenceNumbersWrapAround() {
    SessionTable table = table(defaults());
    long c0 = 0xffffff00L;
    table.onSegment(c.fromClient(SYN, c0, 0, 0));
    table.onSegment(c.after(100).fromServer(SYN | ACK, 10, c0 + 1, 0));
    table.onSegment(c.after(100).fromClient(ACK, c0 + 1, 11, 0));
    // 0x200 bytes starting before the wrap, then the next segment after it: no retransmission
    table.onSegment(c.after(100).fromClient(ACK | PSH, c0 + 1, 11, 0x200));
    table.onSegment(c.after(2_000_000).fromClient(ACK | PSH, c0 + 1 + 0x200, 11, 0x100));
    table.endOfCapture();
    assertThat(reports).isEmpty();
  }
}
