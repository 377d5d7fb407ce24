package dev.tcpscope.session.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.session.engine.RuleSettings;
import dev.tcpscope.session.engine.Segment;
import dev.tcpscope.session.engine.Session;
import dev.tcpscope.session.engine.SessionEngine;
import dev.tcpscope.session.topology.SessionSlots.Slot;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class ExpiryIndexTest {
  private static final long T0_US = 1_767_268_800_000_000L;
  private final SessionEngine engine = new SessionEngine(RuleSettings.defaults(), r -> { });
  private final Segment segment = new Segment();

  /** A slot holding a session opened by a SYN (half-open: due 30 s after {@code atUs}). */
  private Slot halfOpen(String observer, int port, long atUs) {
    segment.tsUs = atUs;
    segment.srcIp[0] = 10;
    segment.srcIp[3] = 1;
    segment.dstIp[0] = 10;
    segment.dstIp[3] = 2;
    segment.srcPort = port;
    segment.dstPort = 80;
    segment.flags = Segment.SYN;
    segment.seq = port;
    Slot slot = new Slot(Bytes.wrap(new byte[] {(byte) (port >> 8), (byte) port}), observer);
    slot.session = engine.onSegment(null, segment, observer, "eth0");
    return slot;
  }

  @Test
  void aSweepTakesOnlyWhatIsDueOffTheQueueHoweverManySessionsExist() {
    ExpiryIndex index = new ExpiryIndex();
    for (int i = 0; i < 10_000; i++) {
      index.schedule(halfOpen("host-a", 1000 + i, T0_US + 60_000_000));
    }
    List<Slot> early = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Slot slot = halfOpen("host-a", 20_000 + i, T0_US);
      early.add(slot);
      index.schedule(slot);
    }
    List<Slot> expired = new ArrayList<>();
    index.due("host-a", T0_US + 31_000_000, expired::add);
    assertThat(expired).containsExactlyElementsOf(early);
    assertThat(index.examined()).isEqualTo(3);
    // nothing else is due: the next sweep examines nothing
    index.due("host-a", T0_US + 32_000_000, expired::add);
    assertThat(index.examined()).isEqualTo(3);
  }

  @Test
  void eachObserverIsJudgedByItsOwnClock() {
    ExpiryIndex index = new ExpiryIndex();
    Slot a = halfOpen("host-a", 1000, T0_US);
    Slot b = halfOpen("host-b", 1000, T0_US);
    index.schedule(a);
    index.schedule(b);
    List<Slot> expired = new ArrayList<>();
    index.due("host-b", T0_US + 31_000_000, expired::add);
    assertThat(expired).containsExactly(b);
    assertThat(index.slotsOf("host-a")).containsExactly(a);
  }

  @Test
  void anEntryOfASessionThatMovedOnIsRequeuedAtItsRealDeadline() {
    ExpiryIndex index = new ExpiryIndex();
    Slot slot = halfOpen("host-a", 1000, T0_US);
    index.schedule(slot);
    // the SYN is resent 20 s later: the deadline moves to 50 s
    segment.tsUs = T0_US + 20_000_000;
    Session same = engine.onSegment(slot.session, segment, "host-a", "eth0");
    assertThat(same).isSameAs(slot.session);
    index.schedule(slot); // already queued: no second entry
    List<Slot> expired = new ArrayList<>();
    index.due("host-a", T0_US + 31_000_000, expired::add);
    assertThat(expired).isEmpty();
    assertThat(index.size()).isEqualTo(1);
    index.due("host-a", T0_US + 51_000_000, expired::add);
    assertThat(expired).containsExactly(slot);
  }

  @Test
  void aSlotThatHoldsANewSessionLeavesTheOldEntryStale() {
    ExpiryIndex index = new ExpiryIndex();
    Slot slot = halfOpen("host-a", 1000, T0_US);
    index.schedule(slot);
    Slot later = halfOpen("host-a", 1000, T0_US + 25_000_000);
    index.replaced(slot);
    slot.session = later.session;
    index.schedule(slot);
    List<Slot> expired = new ArrayList<>();
    index.due("host-a", T0_US + 31_000_000, expired::add);
    assertThat(expired).as("the first session's entry is stale").isEmpty();
    index.due("host-a", T0_US + 56_000_000, expired::add);
    assertThat(expired).containsExactly(slot);
  }
}
