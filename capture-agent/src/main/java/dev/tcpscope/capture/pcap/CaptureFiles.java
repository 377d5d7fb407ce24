package dev.tcpscope.capture.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opens a capture file of either format, telling them apart by their first bytes; a gzip
 * stream (a {@code .pcap.gz}) is decompressed on the way.
 */
public final class CaptureFiles {
  private CaptureFiles() {}

  /** Opens a file, or standard input when the name is "-". */
  public static CaptureFileReader open(String name) throws IOException {
    InputStream in = "-".equals(name) ? System.in : Files.newInputStream(Path.of(name));
    return open(in);
  }

  /** Reads a pcap or pcapng stream, gzip-compressed or not (as Wireshark reads them). */
  public static CaptureFileReader open(InputStream stream) throws IOException {
    ByteSource in = new ByteSource(gunzipped(stream));
    if (!in.require(4)) {
      in.close();
      throw new CaptureFormatException("empty input: not a pcap or pcapng file");
    }
    int be = Bytes.i32be(in.buf, in.pos);
    try {
      if (be == PcapngFileReader.SECTION_HEADER) {
        return new PcapngFileReader(in);
      }
      return new PcapFileReader(in);
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  private static InputStream gunzipped(InputStream stream) throws IOException {
    PushbackInputStream in = new PushbackInputStream(stream, 2);
    int first = in.read();
    int second = first < 0 ? -1 : in.read();
    if (second >= 0) {
      in.unread(second);
    }
    if (first >= 0) {
      in.unread(first);
    }
    if (first != 0x1f || second != 0x8b) {
      return in;
    }
    try {
      return new GZIPInputStream(in, 1 << 16);
    } catch (ZipException | EOFException e) {
      throw new CaptureFormatException("starts like gzip but is no gzip stream (" + e.getMessage()
          + ")");
    }
  }
}
