package dev.tcpscope.capture.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a capture file of either format, telling them apart by their first bytes. */
public final class CaptureFiles {
  private CaptureFiles() {}

  /** Opens a file, or standard input when the name is "-". */
  public static CaptureFileReader open(String name) throws IOException {
    InputStream in = "-".equals(name) ? System.in : Files.newInputStream(Path.of(name));
    return open(in);
  }

  public static CaptureFileReader open(InputStream stream) throws IOException {
    ByteSource in = new ByteSource(stream);
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
}
