package dev.tcpscope.capture.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.capture.decode.DecodedSegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The hand-off between capture and publisher: order, drops when full, and the file mode's wait. */
class SegmentRingTest {

  @Test
  void offerCopiesInOrderAndDropsAndCountsWhenFull() {
    SegmentRing ring = new SegmentRing(4);
    assertThat(ring.capacity()).isEqualTo(4);
    for (int i = 1; i <= 5; i++) {
      assertThat(ring.offer(segment(i))).isEqualTo(i <= 4);
    }
    assertThat(ring.dropped()).isEqualTo(1);
    assertThat(drain(ring, 4)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ring.peek()).isNull();
  }

  @Test
  void aFullRingResumesTakingSegmentsOnlyOnceAQuarterIsFree() throws Exception {
    SegmentRing ring = new SegmentRing(8);
    assertThat(ring.capacity()).isEqualTo(8);
    for (int i = 1; i <= 8; i++) {
      ring.put(segment(i), () -> false);
    }
    AtomicBoolean ninthIn = new AtomicBoolean();
    Thread capture = new Thread(() -> {
      ring.put(segment(9), () -> false);
      ninthIn.set(true);
    });
    capture.start();
    awaitParked(capture); // it found the ring full
    List<Long> taken = new ArrayList<>(drain(ring, 1)); // 7 of 8 in use: more than 3/4
    Thread.sleep(100);
    assertThat(ninthIn).as("resumed with one slot free").isFalse();
    taken.addAll(drain(ring, 1)); // 6 of 8: a quarter free
    capture.join(10_000);
    assertThat(ninthIn).isTrue();
    taken.addAll(drain(ring, 7));
    assertThat(taken).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(ring.dropped()).isZero();
  }

  @Test
  void aWaitingPutThatIsToldToGiveUpDropsTheSegmentAndCountsIt() {
    SegmentRing ring = new SegmentRing(4);
    for (int i = 1; i <= 4; i++) {
      ring.put(segment(i), () -> false);
    }

    ring.put(segment(5), () -> true);

    assertThat(ring.dropped()).isEqualTo(1);
    assertThat(drain(ring, 4)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ring.peek()).isNull();
  }

  private static void awaitParked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (t.getState() != Thread.State.TIMED_WAITING) {
      assertThat(System.nanoTime()).as("%s never waited", t).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  private static List<Long> drain(SegmentRing ring, int n) {
    List<Long> taken = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      DecodedSegment s = ring.peek();
      assertThat(s).as("segment %d of %d", i + 1, n).isNotNull();
      taken.add(s.tsUs);
      ring.release();
    }
    return taken;
  }

  private static DecodedSegment segment(long tsUs) {
    DecodedSegment s = new DecodedSegment();
    s.tsUs = tsUs;
    s.frame = new byte[0];
    return s;
  }
}
