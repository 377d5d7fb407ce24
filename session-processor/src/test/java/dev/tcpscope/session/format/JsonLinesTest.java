package dev.tcpscope.session.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonLinesTest {

  @Test
  void writesEveryFieldOfTheContractOnOneLine() {
    String json = JsonLines.format(MiruoTextTest.rstSession());
    assertThat(json).doesNotContain("\n");
    for (String field : new String[] {"source", "observer", "session_id", "client_ip",
        "client_port", "server_ip", "server_port", "start_us", "end_us", "duration_ms",
        "segments", "bytes", "reasons", "client_state", "server_state", "conn_state", "history",
        "partial", "shown", "ts_us", "direction", "flags", "seq", "ack", "length", "fragment",
        "options"}) {
      assertThat(json).contains("\"" + field + "\":");
    }
    assertThat(json)
        .contains("\"reasons\":[\"RST\"]")
        .contains("\"duration_ms\":2196.0")
        .contains("\"flags\":\"-A-R--\"")
        .contains("\"direction\":\"server_to_client\"")
        .contains("\"seq\":1808513095")
        .contains("\"handshake_rtt_us\":120");
  }

  @Test
  void escapesStrings() {
    StringBuilder out = new StringBuilder();
    JsonLines.quoted(out, "a\"b\\c\nd\u0001");
    assertThat(out).hasToString("\"a\\\"b\\\\c\\nd\\u0001\"");
  }
}
