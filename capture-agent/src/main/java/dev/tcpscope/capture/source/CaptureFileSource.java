package dev.tcpscope.capture.source;

import dev.tcpscope.capture.pcap.CaptureFileReader;
import dev.tcpscope.capture.pcap.CapturedFrame;
import java.io.IOException;

/** A pcap or pcapng file (or standard input) as a packet source. */
public final class CaptureFileSource implements PacketSource {
  private final String name;
  private final CaptureFileReader reader;
  private final CapturedFrame frame = new CapturedFrame();
  private volatile boolean stopRequested;
  private String damage;

  public CaptureFileSource(String name, CaptureFileReader reader) {
    this.name = name;
    this.reader = reader;
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
      sink.onFrame(frame.linkType, frame.data, frame.offset, frame.capturedLength,
          frame.wireLength, frame.tsUs);
      if (++sinceCheck == 4096) {
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
  public void stop() {
    stopRequested = true;
  }

  @Override
  public long droppedByCapture() {
    return 0;
  }

  @Override
  public String statistics() {
    return "";
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
  }
}
