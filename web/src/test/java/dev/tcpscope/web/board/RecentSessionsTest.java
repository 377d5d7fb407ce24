package dev.tcpscope.web.board;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.session.engine.SessionReport;
import dev.tcpscope.session.format.JsonLines;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentSessionsTest {
  private static SessionReport report(long id, long endUs) {
    return new SessionReport("eth0", "host-a", id, "10.0.0.1", 40000, "10.0.0.2", 80, endUs - 10,
        endUs, 2, 128, 1, 74, 1, 54, List.of("RST"), "CLOSED", "CLOSED", "REJ", "Sr", List.of(), false, "rst",
        null, List.of());
  }

  @Test
  void keepsTheNewestSessionsInTheirJsonLinesFormOldestFirst() {
    RecentSessions recent = new RecentSessions(2);
    for (int i = 1; i <= 3; i++) {
      assertThat(recent.add(report(i, i * 1000L))).isEqualTo(JsonLines.format(report(i, i * 1000L)));
    }
    assertThat(recent.snapshot()).containsExactly(JsonLines.format(report(2, 2000)),
        JsonLines.format(report(3, 3000)));
  }

  @Test
  void aSessionPublishedTwiceIsKeptOnce() {
    RecentSessions recent = new RecentSessions(10);
    assertThat(recent.add(report(1, 1000))).isNotNull();
    assertThat(recent.add(report(1, 1000))).isNull();
    assertThat(recent.add(report(1, 2000))).isNotNull(); // same id, a later session
    assertThat(recent.size()).isEqualTo(2);
  }
}
