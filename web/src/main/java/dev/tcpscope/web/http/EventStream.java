package dev.tcpscope.web.http;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One open page's server-sent event stream: the frames waiting to be written, bounded so a
 * page that stopped reading cannot hold memory. A stream that overflows is closed; the
 * browser's EventSource reconnects and starts again from a fresh snapshot.
 */
public final class EventStream {
  static final int CAPACITY = 10_000;
  private static final String CLOSED = "";

  private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>(CAPACITY + 1);
  private volatile boolean closed;

  public EventStream(List<String> initialFrames) {
    for (String frame : initialFrames) {
      offer(frame);
    }
  }

  /** An SSE frame: the event's name and one line of data (JSON never holds a raw newline). */
  public static String frame(String event, String data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
  }

  /** Queues a frame; false (and the stream closed) when the page is too far behind. */
  public boolean offer(String frame) {
    if (closed) {
      return false;
    }
    if (frames.size() >= CAPACITY || !frames.offer(frame)) {
      close();
      return false;
    }
    return true;
  }

  /** The next frame, or null when none came within the timeout; CLOSED once closed. */
  String next(long timeoutMs) throws InterruptedException {
    if (closed) {
      return CLOSED;
    }
    String frame = frames.poll(timeoutMs, TimeUnit.MILLISECONDS);
    return closed ? CLOSED : frame;
  }

  static boolean isEnd(String frame) {
    return frame == CLOSED;
  }

  public boolean isClosed() {
    return closed;
  }

  public void close() {
    closed = true;
    frames.offer(CLOSED); // wakes the writer
  }
}
