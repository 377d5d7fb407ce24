package dev.tcpscope.capture.source;

import java.io.IOException;

/** Where frames come from: a capture file or a live interface. */
public interface PacketSource extends AutoCloseable {

  /** The file's path or the interface's name, as records and heartbeats name it. */
  String name();

  /** True for a capture file: nothing may be dropped, and the end is an end of capture. */
  boolean isFile();

  /**
   * Delivers frames to the sink until the source ends or {@link #stop()} is called.
   *
   * @param everySecond called about once a second from the capture thread, also when no
   *     traffic flows (for statistics and heartbeat clocks)
   */
  void run(FrameSink sink, Runnable everySecond) throws IOException;

  /**
   * True when frames may stop coming for a while with {@link #run} blocked reading (a pipe):
   * counters must then be current after every frame, not every thousand.
   */
  default boolean mayTrickle() {
    return false;
  }

  /** Asks {@link #run} to return soon; callable from any thread. */
  void stop();

  /** Packets libpcap or the interface dropped so far (0 for files). */
  default long droppedByCapture() {
    return statistics().droppedTotal();
  }

  /** libpcap's own counters, as of the last once-a-second tick ({@code NONE} for files). */
  CaptureStatistics statistics();

  /** Why a file ended before its end, or null. */
  default String damage() {
    return null;
  }

  @Override
  void close();
}
