package dev.tcpscope.capture.pcap;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writer of classic pcap files (little-endian, microsecond timestamps), for the bundled demo
 * capture and for tests that build their own captures.
 */
public final class PcapFileWriter implements Closeable {
  private final OutputStream out;
  private final byte[] header = new byte[16];

  public PcapFileWriter(OutputStream out, int linkType) throws IOException {
    this.out = out;
    byte[] global = new byte[24];
    Bytes.putI32le(global, 0, PcapFileReader.MAGIC_MICROS);
    global[4] = 2; // version 2.4
    global[6] = 4;
    Bytes.putI32le(global, 16, 262144); // snap length
    Bytes.putI32le(global, 20, linkType);
    out.write(global);
  }

  public static PcapFileWriter create(Path file, int linkType) throws IOException {
    return new PcapFileWriter(new BufferedOutputStream(Files.newOutputStream(file)), linkType);
  }

  /** Writes a whole frame. */
  public void write(long tsUs, byte[] frame) throws IOException {
    write(tsUs, frame, frame.length, frame.length);
  }

  /** Writes the first {@code captured} bytes of a frame that was {@code wire} bytes long. */
  public void write(long tsUs, byte[] frame, int captured, int wire) throws IOException {
    Bytes.putI32le(header, 0, (int) (tsUs / 1_000_000L));
    Bytes.putI32le(header, 4, (int) (tsUs % 1_000_000L));
    Bytes.putI32le(header, 8, captured);
    Bytes.putI32le(header, 12, wire);
    out.write(header);
    out.write(frame, 0, captured);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
