package dev.tcpscope.web.board;

import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.format.JsonLines;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The newest reported sessions, oldest first, at most {@code capacity}, each kept in its
 * JSON-lines form (the page reads the same objects as {@code watch --format jsonl} prints).
 * A session published twice (an at-least-once processor replaying after a crash) is kept once.
 */
public final class RecentSessions {
  private record Entry(String identity, String json) {}

  private final int capacity;
  private final ArrayDeque<Entry> entries;
  private final Set<String> identities = new HashSet<>();

  public RecentSessions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the session history must hold at least 1, not " + capacity);
    }
    this.capacity = capacity;
    this.entries = new ArrayDeque<>(Math.min(capacity, 4096));
  }

  /**
   * @return the session's JSON object, or null when the same session was already kept
   */
  public String add(SessionReport report) {
    String identity = report.observer() + '\u0000' + report.sessionId() + '\u0000' + report.endUs();
    if (!identities.add(identity)) {
      return null;
    }
    String json = JsonLines.format(report);
    entries.addLast(new Entry(identity, json));
    if (entries.size() > capacity) {
      identities.remove(entries.removeFirst().identity());
    }
    return json;
  }

  /** The kept sessions' JSON objects, oldest first. */
  public List<String> snapshot() {
    List<String> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(e.json());
    }
    return out;
  }

  public int size() {
    return entries.size();
  }
}
