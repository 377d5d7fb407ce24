package dev.tcpscope.capture.agent;

import dev.tcpscope.capture.decode.DecodeResult;
import dev.tcpscope.capture.decode.DecodedSegment;
import dev.tcpscope.capture.decode.FrameDecoder;
import dev.tcpscope.capture.decode.HttpFirstLine;
import dev.tcpscope.capture.pipeline.DecodeCounters;
import dev.tcpscope.capture.publish.SegmentPublisher;
import dev.tcpscope.capture.source.PacketSource;
import dev.tcpscope.schemas.v1.AgentHeartbeat;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The agent: the capture thread decodes frames and hands segments to a bounded ring; a
 * publishing thread drains the ring into Kafka and sends a heartbeat at least once a second.
 * The capture thread never waits for Kafka: on live capture a full ring drops the segment
 * and counts it (memory stays bounded); replaying a file, it waits instead, losing nothing.
 */
public final class CaptureAgent {
  public static final String VERSION = "0.1.0";

  private final SegmentPublisher publisher;
  private final String observer;
  private final SegmentRing ring;
  private final Duration flushDeadline;
  private final AgentCounters counters = new AgentCounters();
  private final FrameDecoder decoder = new FrameDecoder();
  private final DecodedSegment segment = new DecodedSegment();
  private final DecodeCounters decodeCounters = new DecodeCounters();
  private volatile boolean capturing;
  private final BooleanSupplier stopped = () -> !capturing;
  /** System.nanoTime() by which the last segments must be acknowledged, once capture ended. */
  private volatile long flushBy;
  private volatile Thread sender;
  private long lastDroppedTotal;
  /** Newest capture time among the segments handed to the publisher (publisher thread only). */
  private long publishedClockUs;

  /**
   * How far behind the wall clock a live heartbeat's capture clock stays when nothing waits to
   * be published: packets libpcap still buffers carry slightly older timestamps, and the clock
   * must not pass them.
   */
  private static final long LIVE_CLOCK_MARGIN_US = 2_000_000L;
  private boolean httpLines;

  public CaptureAgent(SegmentPublisher publisher, String observer, int ringCapacity,
      Duration flushDeadline) {
    this.publisher = publisher;
    this.observer = observer;
    this.ring = new SegmentRing(ringCapacity);
    this.flushDeadline = flushDeadline;
  }

  /** Publish the HTTP request or status line each segment begins with (-m http). */
  public CaptureAgent httpLines(boolean on) {
    this.httpLines = on;
    return this;
  }

  public AgentCounters counters() {
    return counters;
  }

  public DecodeCounters decodeCounters() {
    return decodeCounters;
  }

  /**
   * Captures from the source until it ends or is stopped, publishing as it goes; returns after
   * the last segments and a final heartbeat were flushed, or once the flush deadline (counted
   * from the end of capture) passed: what is not acknowledged by then is counted in {@link
   * AgentCounters#unpublishedAtShutdown()}, and the caller closes the publisher.
   *
   * @param everySecond called about once a second (statistics printing)
   */
  public void run(PacketSource source, Runnable everySecond) throws IOException {
    capturing = true;
    counters.bufferCapacity = ring.capacity();
    Thread sender = new Thread(() -> publishLoop(source), "tcpscope-agent-publisher");
    this.sender = sender;
    // A send blocked on an unreachable broker must not keep the JVM alive past the deadline.
    sender.setDaemon(true);
    sender.start();
    boolean lossless = source.isFile();
    int snapshotMask = source.mayTrickle() ? 0 : 1023;
    try {
      source.run((linkType, data, offset, captured, wire, tsUs) -> {
        DecodeResult result = decoder.decode(linkType, data, offset, captured, wire, tsUs, segment);
        decodeCounters.count(result);
        if (result == DecodeResult.SEGMENT) {
          segment.httpLine = httpLines
              ? HttpFirstLine.of(segment.frame, segment.payloadOffset, segment.capturedPayload)
              : null;
          if (lossless) {
            ring.put(segment, stopped);
          } else {
            ring.offer(segment);
          }
          if (tsUs > counters.captureClockUs) {
            counters.captureClockUs = tsUs;
          }
        }
        if ((decodeCounters.frames() & snapshotMask) == 0) {
          snapshot(source);
        }
      }, () -> {
        snapshot(source);
        everySecond.run();
      });
    } finally {
      snapshot(source);
      endCapture();
      awaitFlushed();
      snapshot(source);
      settle();
    }
  }

  /** Final counts once the publisher is done: what was neither acknowledged nor failed. */
  private void settle() {
    counters.published = publisher.acknowledged();
    counters.publishFailed = publisher.failed();
    long handed = publisher.acknowledged() + publisher.failed();
    counters.unpublishedAtShutdown = Math.max(0, counters.segments - ring.dropped() - handed);
  }

  /**
   * Asks a running capture to end (as the end of a file would); callable from any thread. The
   * publisher drains and flushes from now on, within the flush deadline, even while the
   * capture thread is still blocked reading (standard input).
   */
  public void stop(PacketSource source) {
    endCapture();
    source.stop();
  }

  private synchronized void endCapture() {
    if (capturing) {
      flushBy = System.nanoTime() + flushDeadline.toNanos();
      capturing = false;
    }
  }

  /** Waits until the publisher has flushed, at most the flush deadline after capture ended. */
  public void awaitFlushed() {
    Thread s = sender;
    if (s == null) {
      return;
    }
    try {
      // The sender's own flush ends at the deadline; a little more for its last bookkeeping.
      s.join(Math.max(1, (flushBy - System.nanoTime()) / 1_000_000 + 500));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void snapshot(PacketSource source) {
    DecodeCounters d = decodeCounters;
    for (DecodeResult result : DecodeResult.all()) {
      counters.byResult.lazySet(result.ordinal(), d.get(result));
    }
    counters.frames = d.frames();
    counters.segments = d.segments();
    counters.headerErrors = d.get(DecodeResult.L2_ERROR) + d.get(DecodeResult.IP_ERROR)
        + d.get(DecodeResult.TCP_ERROR);
    counters.notTcp = d.get(DecodeResult.NOT_IP) + d.get(DecodeResult.NOT_TCP)
        + d.get(DecodeResult.NON_FIRST_FRAGMENT) + d.get(DecodeResult.UNSUPPORTED_LINK);
    counters.capture = source.statistics();
    counters.droppedByAgent = ring.dropped();
    counters.bufferInUse = ring.size();
    if (!source.isFile() && counters.captureClockUs == 0) {
      counters.captureClockUs = System.currentTimeMillis() * 1000;
    }
  }

  private void publishLoop(PacketSource source) {
    long nextHeartbeat = System.nanoTime();
    int sinceCheck = 0;
    while (true) {
      DecodedSegment next = ring.peek();
      if (next != null) {
        publisher.publish(next);
        if (next.tsUs > publishedClockUs) {
          publishedClockUs = next.tsUs;
        }
        ring.release();
        if (++sinceCheck < 1024) {
          continue;
        }
      } else if (!capturing) {
        break;
      } else {
        LockSupport.parkNanos(200_000);
      }
      sinceCheck = 0;
      if (!capturing && System.nanoTime() - flushBy > 0) {
        break; // past the flush deadline: what is left in the ring stays unpublished
      }
      if (System.nanoTime() >= nextHeartbeat) {
        sendHeartbeat(source, false);
        nextHeartbeat = System.nanoTime() + 1_000_000_000L;
      }
    }
    // Flush the segments first so the last heartbeat reports them acknowledged, then the
    // heartbeat itself (after every segment in each partition, as the processor needs).
    publisher.flush(Duration.ofNanos(Math.max(0, flushBy - System.nanoTime())));
    sendHeartbeat(source, source.isFile() && ring.size() == 0);
    publisher.flush(Duration.ofNanos(Math.max(0, flushBy - System.nanoTime())));
    settle();
  }

  private void sendHeartbeat(PacketSource source, boolean endOfCapture) {
    counters.published = publisher.acknowledged();
    counters.publishFailed = publisher.failed();
    long droppedTotal = ring.dropped() + source.droppedByCapture();
    boolean dropping = droppedTotal > lastDroppedTotal;
    lastDroppedTotal = droppedTotal;
    // The heartbeat's clock promises that every segment captured up to it was published before
    // it (the processor ends idle sessions by it), so it is the newest published segment's time,
    // not the capture thread's, which may be ahead of segments still in the ring.
    long clock = publishedClockUs;
    if (!source.isFile() && ring.peek() == null) {
      // A silent network still moves the clock: heartbeats follow the wall clock then.
      clock = Math.max(clock, System.currentTimeMillis() * 1000 - LIVE_CLOCK_MARGIN_US);
    }
    if (clock == 0) {
      return; // a file that has not yielded a segment yet has no clock to report
    }
    publisher.heartbeat(AgentHeartbeat.newBuilder()
        .setObserver(observer)
        .setSource(source.name())
        .setCaptureClockUs(clock)
        .setSentAtMs(System.currentTimeMillis())
        .setFrames(counters.frames)
        .setSegments(counters.segments)
        .setHeaderErrors(counters.headerErrors)
        .setPublished(counters.published)
        .setDroppedByAgent(ring.dropped())
        .setDroppedByCapture(source.droppedByCapture())
        .setDropping(dropping)
        .setEndOfCapture(endOfCapture)
        .setVersion(VERSION)
        .build());
  }
}
