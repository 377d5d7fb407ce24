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

  @Test
  void everyFieldTheEncoderReadsComesOutAsItWentIn() {
    SegmentRing ring = new SegmentRing(4);
    DecodedSegment v6 = new DecodedSegment();
    v6.tsUs = 1_700_000_000_123_456L;
    v6.ipVersion = 6;
    for (int i = 0; i < 16; i++) {
      v6.srcIp[i] = (byte) (0x20 + i);
      v6.dstIp[i] = (byte) (0xf0 - i);
    }
    v6.srcPort = 65535;
    v6.dstPort = 443;
    v6.seq = 0xffff_fff0L; // unsigned 32-bit values above Integer.MAX_VALUE
    v6.ack = 0x8000_0001L;
    v6.flags = 0x1d2; // NS in bit 8
    v6.window = 65535;
    v6.payloadLength = 1448;
    v6.frameLength = 1534;
    v6.capturedPayload = 96;
    v6.fragmented = true;
    v6.frame = new byte[120];
    for (int i = 0; i < 40; i++) {
      v6.frame[74 + i] = (byte) (i + 1); // 40 bytes of options, where the decoder left them
    }
    v6.optionsOffset = 74;
    v6.optionsLength = 40;
    v6.payloadOffset = 114;
    v6.httpLine = "GET / HTTP/1.1";

    ring.offer(v6);
    DecodedSegment out = ring.peek();

    assertThat(out).usingRecursiveComparison()
        .ignoringFields("frame", "optionsOffset", "payloadOffset")
        .isEqualTo(v6);
    assertThat(out.options()).isEqualTo(v6.options());
    assertThat(out.srcAddress()).isEqualTo(v6.srcAddress());
    ring.release();

    // the same slot again, later: an IPv4 segment without options or an HTTP line
    for (int i = 1; i < ring.capacity(); i++) { // round the ring back to the first slot
      ring.offer(segment(i));
      assertThat(ring.peek().tsUs).isEqualTo(i);
      ring.release();
    }
    DecodedSegment v4 = segment(99);
    v4.ipVersion = 4;
    v4.srcIp[0] = 10;
    v4.dstIp[3] = 7;
    ring.offer(v4);
    out = ring.peek();
    assertThat(out.ipVersion).isEqualTo(4);
    assertThat(out.srcAddress()).containsExactly(10, 0, 0, 0);
    assertThat(out.dstAddress()).containsExactly(0, 0, 0, 7);
    assertThat(out.optionsLength).isZero();
    assertThat(out.fragmented).isFalse();
    assertThat(out.httpLine).as("the slot's earlier HTTP line is gone").isNull();
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
