package dev.tcpscope.capture.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpFirstLineTest {
  private static String of(String payload) {
    byte[] b = ("xx" + payload).getBytes(StandardCharsets.ISO_8859_1);
    return HttpFirstLine.of(b, 2, b.length - 2);
  }

  @Test
  void requestLineWithoutItsQueryString() {
    assertThat(of("GET /search?q=secret HTTP/1.1\r\nHost: a\r\n\r\n"))
        .isEqualTo("GET /search HTTP/1.1");
    assertThat(of("POST /api/v1/items HTTP/1.0\r\n")).isEqualTo("POST /api/v1/items HTTP/1.0");
    assertThat(of("OPTIONS * HTTP/1.1\n")).isEqualTo("OPTIONS * HTTP/1.1");
  }

  @Test
  void statusLine() {
    assertThat(of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
    assertThat(of("HTTP/1.0 404 Not Found\r\n")).isEqualTo("HTTP/1.0 404 Not Found");
    assertThat(of("HTTP/1.1 204\r\n")).isEqualTo("HTTP/1.1 204");
  }

  @Test
  void anythingElseIsNoHttpLine() {
    assertThat(of("GET /cut-by-the-snap-length HTT")).isNull();
    assertThat(of("HELLO world HTTP/1.1\r\n")).isNull();
    assertThat(of("GET /a b HTTP/1.1\r\n")).isNull();
    assertThat(of("HTTP/1.1 2x0 OK\r\n")).isNull();
    assertThat(of("SSH-2.0-OpenSSH_9.6\r\n")).isNull();
    assertThat(of("GET /\u00ff HTTP/1.1\r\n")).isNull();
    assertThat(of("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003abcdef")).isNull();
    assertThat(HttpFirstLine.of(new byte[0], 0, 0)).isNull();
  }
}
