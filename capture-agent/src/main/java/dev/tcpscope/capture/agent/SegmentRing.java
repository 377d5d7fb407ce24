package dev.tcpscope.capture.agent;

import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.SegmentCopy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded hand-off between the capture thread and the publishing thread: a
 * single-producer, single-consumer ring of preallocated segments. The capture thread copies
 * a segment in (no allocation) or, when the ring is full, drops it and counts it; memory is
 * the ring's fixed size whatever Kafka does.
 */
public final class SegmentRing {
  private final DecodedSegment[] slots;
  private final int mask;
  /** Next slot to write (capture thread) and to read (publisher thread). */
  private final AtomicLong head = new AtomicLong();

  private final AtomicLong tail = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  /** @param capacity rounded up to a power of two */
  public SegmentRing(int capacity) {
    int size = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
    slots = new DecodedSegment[size];
    for (int i = 0; i < size; i++) {
      slots[i] = new DecodedSegment();
      slots[i].frame = new byte[40];
    }
    mask = size - 1;
  }

  public int capacity() {
    return slots.length;
  }

  /** Copies the segment in; false (and counted) when the ring is full. Capture thread only. */
  public boolean offer(DecodedSegment segment) {
    long h = head.get();
    if (h - tail.get() >= slots.length) {
      dropped.incrementAndGet();
      return false;
    }
    SegmentCopy.copy(segment, slots[(int) (h & mask)]);
    head.lazySet(h + 1);
    return true;
  }

  /**
   * Copies the segment in, waiting for room (replaying a file: nothing may be lost), unless
   * {@code giveUp} says to stop waiting (shutdown): then it is dropped and counted.
   */
  public void put(DecodedSegment segment, BooleanSupplier giveUp) {
    long h = head.get();
    if (h - tail.get() >= slots.length) {
      // Full: wait until a quarter is free, in naps of a millisecond, so the capture thread
      // resumes for thousands of segments at a time instead of waking for each freed slot
      // (which cost a futex wake-up per few segments, CPU the publisher and the broker need).
      long resumeBelow = slots.length - Math.max(1, slots.length >> 2);
      while (h - tail.get() > resumeBelow) {
        if (giveUp.getAsBoolean()) {
          dropped.incrementAndGet();
          return;
        }
        LockSupport.parkNanos(1_000_000);
      }
    }
    SegmentCopy.copy(segment, slots[(int) (h & mask)]);
    head.lazySet(h + 1);
  }

  /** The oldest segment not yet taken, or null when empty. Publisher thread only. */
  public DecodedSegment peek() {
    long t = tail.get();
    return t == head.get() ? null : slots[(int) (t & mask)];
  }

  /** Releases the segment returned by {@link #peek()}. */
  public void release() {
    tail.lazySet(tail.get() + 1);
  }

  public int size() {
    return (int) (head.get() - tail.get());
  }

  public long dropped() {
    return dropped.get();
  }
}
