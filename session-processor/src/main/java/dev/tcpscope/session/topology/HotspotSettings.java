package dev.tcpscope.session.topology;

import dev.tcpscope.schemas.serde.TcpscopeTopics;
import java.time.Duration;

/**
 * The hotspot aggregation's windows, on capture time: each window is {@code size} long and a
 * new one starts every {@code advance}, so the newest complete-enough window always covers
 * "the last few minutes". {@code grace} is how late (in capture time) a session may be
 * reported and still count: sessions ended by a timeout are reported up to 900 s after their
 * last segment, so the default grace is a little longer than that.
 */
public record HotspotSettings(String hotspotsTopic, Duration size, Duration advance, Duration grace) {

  public static final String STORE = "tcpscope-hotspots";

  public HotspotSettings {
    if (size.isNegative() || size.isZero() || advance.isNegative() || advance.isZero()
        || advance.compareTo(size) > 0) {
      throw new IllegalArgumentException("hotspot windows need 0 < advance <= size, not size "
          + size + " advance " + advance);
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException("hotspot grace must not be negative, not " + grace);
    }
  }

  public static HotspotSettings defaults() {
    return new HotspotSettings(TcpscopeTopics.HOTSPOTS, Duration.ofMinutes(5), Duration.ofMinutes(1),
        Duration.ofMinutes(16));
  }
}
