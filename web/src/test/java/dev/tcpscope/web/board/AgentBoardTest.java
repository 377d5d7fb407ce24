package dev.tcpscope.web.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.schemas.v1.AgentHeartbeat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentBoardTest {
  private static final long NOW_MS = 1_796_150_000_000L;

  private final AgentBoard board = new AgentBoard(Duration.ofSeconds(5));

  private static AgentHeartbeat beat(String observer, String source, long sentAtMs, long segments,
      boolean endOfCapture) {
    return AgentHeartbeat.newBuilder().setObserver(observer).setSource(source)
        .setCaptureClockUs(sentAtMs * 1000).setSentAtMs(sentAtMs).setFrames(segments + 10)
        .setSegments(segments).setHeaderErrors(1).setPublished(segments).setDroppedByAgent(0)
        .setDroppedByCapture(3).setDropping(false).setEndOfCapture(endOfCapture)
        .setVersion("0.1.0").build();
  }

  private AgentBoard.Row row(String observer) {
    return board.view(NOW_MS).agents().stream().filter(r -> r.observer().equals(observer))
        .findFirst().orElseThrow();
  }

  @Test
  void aLiveAgentShowsItsCaptureRateOverItsRecentHeartbeats() {
    board.add(beat("host-a", "eth0", NOW_MS - 3_000, 1_000, false));
    board.add(beat("host-a", "eth0", NOW_MS - 2_000, 3_000, false));
    board.add(beat("host-a", "eth0", NOW_MS - 1_000, 5_000, false));

    AgentBoard.Row a = row("host-a");
    assertThat(a.status()).isEqualTo("live");
    assertThat(a.ageMs()).isEqualTo(1_000);
    assertThat(a.segmentsPerSecond()).isEqualTo(2_000.0);
    assertThat(a.framesPerSecond()).isEqualTo(2_000.0);
    assertThat(a.segments()).isEqualTo(5_000);
    assertThat(a.droppedByCapture()).isEqualTo(3);
  }

  @Test
  void anAgentSilentForLongerThanTheLimitIsStaleAndAFinishedFileIsNot() {
    board.add(beat("host-a", "eth0", NOW_MS - 6_000, 10, false));
    board.add(beat("host-b", "demo.pcap", NOW_MS - 60_000, 38, true));
    board.add(beat("host-c", "eth1", NOW_MS - 4_000, 10, false));

    assertThat(row("host-a").status()).isEqualTo("stale");
    assertThat(row("host-a").segmentsPerSecond()).isNull();
    assertThat(row("host-b").status()).isEqualTo("finished");
    assertThat(row("host-c").status()).isEqualTo("live");
    assertThat(board.view(NOW_MS).agents()).extracting(AgentBoard.Row::observer)
        .containsExactly("host-a", "host-b", "host-c");
  }

  @Test
  void aRestartedAgentsRateStartsAfreshAndAnOldHeartbeatReadLateChangesNothing() {
    board.add(beat("host-a", "eth0", NOW_MS - 3_000, 90_000, false));
    board.add(beat("host-a", "eth0", NOW_MS - 2_000, 100, false)); // counters reset: restarted
    board.add(beat("host-a", "eth0", NOW_MS - 1_000, 600, false));
    board.add(beat("host-a", "eth0", NOW_MS - 5_000, 1, false));

    AgentBoard.Row a = row("host-a");
    assertThat(a.segments()).isEqualTo(600);
    assertThat(a.segmentsPerSecond()).isEqualTo(500.0);
  }

  @Test
  void oneHeartbeatGivesNoRate() {
    board.add(beat("host-a", "eth0", NOW_MS - 100, 10, false));
    assertThat(row("host-a").segmentsPerSecond()).isNull();
  }

  @Test
  void theStaleLimitMustBePositive() {
    assertThatThrownBy(() -> new AgentBoard(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--stale-after");
  }
}
