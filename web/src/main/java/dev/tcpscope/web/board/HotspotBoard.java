package dev.tcpscope.web.board;

import dev.tcpscope.schemas.v1.Hotspot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The hotspot table: of the windows published on {@code tcpscope.hotspots}, the one that
 * covers the most of the past up to the newest session end seen (the board's clock, in
 * capture time). With 5-minute windows hopping every minute that is the window that ends
 * within the minute after the clock: "the last 4 to 5 minutes". The latest record of a
 * (hotspot, window) holds its count; windows that ended before the clock can no longer be
 * shown and are dropped, so memory stays at a few windows per hotspot.
 */
public final class HotspotBoard {
  private final Map<String, Hotspot> windows = new HashMap<>();
  private long clockUs = Long.MIN_VALUE;

  /** One row of the table. */
  public record Row(String key, String serverIp, int serverPort, String reason, long sessions,
      List<String> observers, long lastEndUs) {}

  /**
   * The table: the window shown (null bounds while nothing was published), the clock, and its
   * rows, most sessions first.
   */
  public record View(Long windowStartMs, Long windowEndMs, Long clockUs, List<Row> rows) {}

  public void add(String key, Hotspot h) {
    if (h.getLastEndUs() > clockUs) {
      clockUs = h.getLastEndUs();
    }
    long clockMs = Math.floorDiv(clockUs, 1000L);
    if (h.getWindowEndMs() > clockMs) {
      windows.merge(key + '@' + h.getWindowStartMs(), h,
          (kept, next) -> next.getSessions() >= kept.getSessions() ? next : kept);
    }
    for (Iterator<Hotspot> it = windows.values().iterator(); it.hasNext(); ) {
      if (it.next().getWindowEndMs() <= clockMs) {
        it.remove();
      }
    }
  }

  public View view() {
    long clockMs = Math.floorDiv(clockUs, 1000L);
    Long start = null;
    Long end = null;
    for (Hotspot h : windows.values()) {
      if (h.getWindowStartMs() <= clockMs && (start == null || h.getWindowStartMs() < start)) {
        start = h.getWindowStartMs();
        end = h.getWindowEndMs();
      }
    }
    List<Row> rows = new ArrayList<>();
    if (start != null) {
      for (Map.Entry<String, Hotspot> e : windows.entrySet()) {
        Hotspot h = e.getValue();
        if (h.getWindowStartMs() == start) {
          String key = e.getKey().substring(0, e.getKey().lastIndexOf('@'));
          rows.add(new Row(key, h.getServerIp(), h.getServerPort(), h.getReason(), h.getSessions(),
              List.copyOf(h.getObservers()), h.getLastEndUs()));
        }
      }
    }
    rows.sort(Comparator.comparingLong(Row::sessions).reversed().thenComparing(Row::key));
    return new View(start, end, start == null ? null : clockUs, List.copyOf(rows));
  }
}
