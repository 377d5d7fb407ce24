package dev.tcpscope.capture.pipeline;

import dev.tcpscope.capture.decode.DecodeResult;

/** Frames seen, by what became of them (miruo's header-error counters and more). */
public final class DecodeCounters {
  private final long[] byResult = new long[DecodeResult.all().length];
  private long frames;

  public void count(DecodeResult result) {
    frames++;
    byResult[result.ordinal()]++;
  }

  public long frames() {
    return frames;
  }

  public long get(DecodeResult result) {
    return byResult[result.ordinal()];
  }

  public long segments() {
    return get(DecodeResult.SEGMENT);
  }

  /** One line: {@code frames=.. segments=.. l2_error=.. ...}, zero counters left out. */
  public String summary() {
    StringBuilder line = new StringBuilder("frames=").append(frames);
    for (DecodeResult result : DecodeResult.all()) {
      long n = byResult[result.ordinal()];
      if (result == DecodeResult.SEGMENT) {
        line.append(" segments=").append(n);
      } else if (n > 0) {
        line.append(' ').append(result.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(n);
      }
    }
    return line.toString();
  }
}
