package dev.tcpscope.capture.decode;

import java.nio.charset.StandardCharsets;

/**
 * The HTTP request line or status line that begins a segment's payload, as miruo's
 * {@code -m http} shows it: {@code GET /path HTTP/1.1} (the query string left out, so no
 * parameter leaves the host) or {@code HTTP/1.1 200 OK}. Anything else, including a line cut
 * before its end by the snap length, is not HTTP here: null. Looks at most
 * {@link #MAX_LINE} bytes and allocates only for a line it returns.
 */
public final class HttpFirstLine {
  /** Longest line considered (miruo reads 2,048 bytes of payload). */
  public static final int MAX_LINE = 2048;

  private static final String[] METHODS = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"
  };

  private HttpFirstLine() {}

  /** The line at the start of {@code length} captured payload bytes from {@code offset}, or null. */
  public static String of(byte[] b, int offset, int length) {
    if (length < 12) {
      return null; // shorter than "HTTP/1.1 200" or "GET / HTTP/1"
    }
    int first = b[offset] & 0xff;
    if (first < 'A' || first > 'Z') {
      return null;
    }
    int end = lineEnd(b, offset, Math.min(length, MAX_LINE));
    if (end < 0) {
      return null;
    }
    return startsWith(b, offset, end, "HTTP/1.") ? statusLine(b, offset, end)
        : requestLine(b, offset, end);
  }

  /** Where the first line ends (at CR or LF), or -1 when there is none or a byte is no text. */
  private static int lineEnd(byte[] b, int from, int length) {
    for (int i = from; i < from + length; i++) {
      int c = b[i] & 0xff;
      if (c == '\r' || c == '\n') {
        return i;
      }
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        return -1;
      }
    }
    return -1;
  }

  private static String requestLine(byte[] b, int from, int end) {
    int methodEnd = indexOf(b, from, end, ' ');
    if (methodEnd < 0 || !isMethod(b, from, methodEnd)) {
      return null;
    }
    int pathStart = methodEnd + 1;
    int pathEnd = indexOf(b, pathStart, end, ' ');
    if (pathEnd <= pathStart) {
      return null;
    }
    int versionStart = pathEnd + 1;
    if (!startsWith(b, versionStart, end, "HTTP/") || indexOf(b, versionStart, end, ' ') >= 0) {
      return null;
    }
    int query = indexOf(b, pathStart, pathEnd, '?');
    int shownPathEnd = query >= 0 ? query : pathEnd;
    return text(b, from, shownPathEnd) + " " + text(b, versionStart, end);
  }

  private static String statusLine(byte[] b, int from, int end) {
    int versionEnd = indexOf(b, from, end, ' ');
    if (versionEnd != from + 8 || versionEnd + 4 > end) {
      return null;
    }
    for (int i = versionEnd + 1; i < versionEnd + 4; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return null;
      }
    }
    if (versionEnd + 4 < end && b[versionEnd + 4] != ' ') {
      return null;
    }
    return text(b, from, end).stripTrailing();
  }

  private static boolean isMethod(byte[] b, int from, int end) {
    for (String m : METHODS) {
      if (end - from == m.length() && startsWith(b, from, end, m)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] b, int from, int end, String prefix) {
    if (end - from < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (b[from + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] b, int from, int end, char c) {
    for (int i = from; i < end; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static String text(byte[] b, int from, int end) {
    return new String(b, from, end - from, StandardCharsets.US_ASCII);
  }
}
