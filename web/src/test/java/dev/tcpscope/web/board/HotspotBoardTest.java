package dev.tcpscope.web.board;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpscope.schemas.v1.Hotspot;
import java.util.List;
import org.junit.jupiter.api.Test;

class HotspotBoardTest {
  private static final long MINUTE_MS = 60_000;
  private static final long T0_MS = 1_767_268_800_000L;

  private final HotspotBoard board = new HotspotBoard();

  /** The windows the processor publishes for a session: 5 minutes long, one a minute. */
  private void publish(String ip, int port, String reason, long sessions, long lastEndMs) {
    long latestStart = Math.floorDiv(lastEndMs, MINUTE_MS) * MINUTE_MS;
    for (long start = latestStart - 4 * MINUTE_MS; start <= latestStart; start += MINUTE_MS) {
      board.add(ip + ":" + port + " " + reason, Hotspot.newBuilder().setServerIp(ip)
          .setServerPort(port).setReason(reason).setWindowStartMs(start)
          .setWindowEndMs(start + 5 * MINUTE_MS).setSessions(sessions)
          .setFirstEndUs(lastEndMs * 1000).setLastEndUs(lastEndMs * 1000)
          .setObservers(List.of("host-a")).build());
    }
  }

  @Test
  void showsTheWindowCoveringTheLastMinutesUpToTheNewestSessionEnd() {
    publish("10.0.0.2", 80, "RST", 1, T0_MS + 1_000);
    publish("10.0.0.2", 80, "RST", 2, T0_MS + 2_000);
    publish("10.0.0.3", 443, "RETRANSMIT", 1, T0_MS + 30_000);

    HotspotBoard.View view = board.view();
    assertThat(view.windowStartMs()).isEqualTo(T0_MS - 4 * MINUTE_MS);
    assertThat(view.windowEndMs()).isEqualTo(T0_MS + MINUTE_MS);
    assertThat(view.clockUs()).isEqualTo((T0_MS + 30_000) * 1000);
    assertThat(view.rows()).extracting(HotspotBoard.Row::key, HotspotBoard.Row::sessions)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.2:80 RST", 2L),
            org.assertj.core.groups.Tuple.tuple("10.0.0.3:443 RETRANSMIT", 1L));
  }

  @Test
  void hotspotsOlderThanTheShownWindowLeaveTheTableAndTheBoard() {
    publish("10.0.0.2", 80, "RST", 1, T0_MS + 1_000);
    publish("10.0.0.3", 443, "RST", 1, T0_MS + 6 * MINUTE_MS);

    HotspotBoard.View view = board.view();
    assertThat(view.windowStartMs()).isEqualTo(T0_MS + 2 * MINUTE_MS);
    assertThat(view.rows()).extracting(HotspotBoard.Row::key).containsExactly("10.0.0.3:443 RST");
    // a late record of a window that already ended is not kept either
    publish("10.0.0.2", 80, "RST", 2, T0_MS + 1_500);
    assertThat(board.view().rows()).extracting(HotspotBoard.Row::key)
        .containsExactly("10.0.0.3:443 RST");
  }

  @Test
  void aWindowKeepsItsLargestCountWhateverOrderItsUpdatesAreReadIn() {
    publish("10.0.0.2", 80, "RST", 3, T0_MS + 1_000);
    publish("10.0.0.2", 80, "RST", 2, T0_MS + 1_000);
    assertThat(board.view().rows().get(0).sessions()).isEqualTo(3);
  }

  @Test
  void anEmptyBoardHasNoWindow() {
    HotspotBoard.View view = board.view();
    assertThat(view.windowStartMs()).isNull();
    assertThat(view.clockUs()).isNull();
    assertThat(view.rows()).isEmpty();
  }
}
