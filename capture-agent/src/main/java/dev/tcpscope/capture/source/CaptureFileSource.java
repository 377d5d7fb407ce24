package dev.tcpscope.capture.source;

import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CapturedFrame;
import dev.tcpscope.capture.pipeline.FrameFilter;
import java.io.IOException;

/** A pcap or pcapng file (or standard input, named "-") as a packet source. */
public final class CaptureFileSource implements PacketSource {
  private final String name;
  private final CaptureFileReader reader;
  /** Frames between clock checks: a pipe may trickle (tcpdump -w -), a file never does. */
  private final int checkEvery;
  private final CapturedFrame frame = new CapturedFrame();
  private volatile boolean stopRequested;
  private String damage;

  private final FrameFilter filter;

  public CaptureFileSource(String name, CaptureFileReader reader) {
    this(name, reader, null);
  }

  /** @param filter frames it rejects are skipped before decoding (null: none) */
  public CaptureFileSource(String name, CaptureFileReader reader, FrameFilter filter) {
    this.name = name;
    this.reader = reader;
    this.filter = filter;
    this.checkEvery = "-".equals(name) ? 1 : 4096;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isFile() {
    return true;
  }

  @Override
  public void run(FrameSink sink, Runnable everySecond) throws IOException {
    long nextTick = System.nanoTime() + 1_000_000_000L;
    int sinceCheck = 0;
    while (!stopRequested && reader.next(frame)) {
      if (filter != null && !filter.accept(frame.linkType, frame.data, frame.offset,
          frame.capturedLength, frame.wireLength)) {
        continue;
      }
      sink.onFrame(frame.linkType, frame.data, frame.offset, frame.capturedLength,
          frame.wireLength, frame.tsUs);
      if (++sinceCheck >= checkEvery) {
        sinceCheck = 0;
        if (System.nanoTime() > nextTick) {
          everySecond.run();
          nextTick = System.nanoTime() + 1_000_000_000L;
        }
      }
    }
    damage = reader.damage();
  }

  @Override
  public boolean mayTrickle() {
    return checkEvery == 1;
  }

  @Override
  public void stop() {
    stopRequested = true;
  }

  @Override
  public CaptureStatistics statistics() {
    return CaptureStatistics.NONE;
  }

  @Override
  public String damage() {
    return damage;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      // nothing more to read either way
    }
    if (filter instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // the compiled programs are freed with the process anyway
      }
    }
  }
}
