package dev.tcpscope.capture.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * A refillable window over an input stream, so readers parse records in place in one large
 * buffer instead of copying each into its own array (works on files and on standard input).
 */
final class ByteSource {
  private static final int INITIAL = 1 << 20;
  /** No sane record is larger; beyond it the file is damaged, not big. */
  static final int MAX_RECORD = 64 << 20;

  private final InputStream in;
  byte[] buf = new byte[INITIAL];
  int pos;
  int limit;
  private boolean eof;
  private String streamDamage;

  ByteSource(InputStream in) {
    this.in = in;
  }

  /** Makes {@code n} bytes available at {@code pos}; false if the stream ends first. */
  boolean require(int n) throws IOException {
    if (limit - pos >= n) {
      return true;
    }
    if (n > buf.length) {
      byte[] bigger = new byte[Math.max(n, buf.length * 2)];
      System.arraycopy(buf, pos, bigger, 0, limit - pos);
      limit -= pos;
      pos = 0;
      buf = bigger;
    } else if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      limit -= pos;
      pos = 0;
    }
    while (limit - pos < n && !eof) {
      int read;
      try {
        read = in.read(buf, limit, buf.length - limit);
      } catch (ZipException | EOFException e) {
        // A damaged or cut gzip stream ends the capture like a truncated file: what was read
        // before it counts, and the reason is reported.
        streamDamage = "the gzip stream is damaged (" + e.getMessage() + ")";
        read = -1;
      }
      if (read < 0) {
        eof = true;
      } else {
        limit += read;
      }
    }
    return limit - pos >= n;
  }

  boolean atEnd() throws IOException {
    return !require(1);
  }

  /** Why the stream under the records ended early (a damaged gzip stream), or null. */
  String streamDamage() {
    return streamDamage;
  }

  /** A reader's own damage, with the stream's cause in front when there is one. */
  String damage(String readerDamage) {
    if (streamDamage == null) {
      return readerDamage;
    }
    return readerDamage == null ? streamDamage : streamDamage + ": " + readerDamage;
  }

  void close() throws IOException {
    in.close();
  }
}
