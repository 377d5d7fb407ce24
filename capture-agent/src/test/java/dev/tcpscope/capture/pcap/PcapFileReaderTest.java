package dev.tcpscope.capture.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpscope.capture.craft.TcpFrameBuilder;
import dev.tcpscope.capture.decode.LinkType;
import dev.tcpscope.capture.decode.TcpFlags;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapFileReaderTest {
  private static final long T0_US = 1_700_000_000_000_000L;

  private final CapturedFrame frame = new CapturedFrame();

  private static byte[] frameBytes(CapturedFrame f) {
    return Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength);
  }

  private static byte[] synFrame(int srcPort) {
    return TcpFrameBuilder.tcp("10.0.0.1", srcPort, "10.0.0.2", 80)
        .flags(TcpFlags.SYN).synOptions(1460, 1, 7).build();
  }

  /** A classic pcap file header and records, laid out by hand in either byte order. */
  private static ByteBuffer pcapHeader(ByteOrder order, int magic, int linkType, int records) {
    ByteBuffer b = ByteBuffer.allocate(24 + records).order(order);
    b.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
        .putInt(65535).putInt(linkType);
    return b;
  }

  private static CaptureFileReader open(byte[] bytes) throws IOException {
    return CaptureFiles.open(new ByteArrayInputStream(bytes));
  }

  @Test
  void writerOutputReadsBackWithTimestampsLengthsDataAndLinkType() throws IOException {
    byte[] syn = synFrame(40000);
    byte[] big = TcpFrameBuilder.tcp("10.0.0.2", 80, "10.0.0.1", 40000)
        .flags(TcpFlags.ACK).payloadLength(1400).build();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapFileWriter writer = new PcapFileWriter(file, LinkType.ETHERNET)) {
      writer.write(T0_US + 1, syn);
      writer.write(T0_US + 999_999, big, 96, big.length); // snap length 96
      writer.write(T0_US + 1_000_000, syn);
    }

    try (CaptureFileReader reader = open(file.toByteArray())) {
      assertThat(reader).isInstanceOf(PcapFileReader.class);
      assertThat(((PcapFileReader) reader).linkType()).isEqualTo(LinkType.ETHERNET);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.ETHERNET);
      assertThat(frame.tsUs).isEqualTo(T0_US + 1);
      assertThat(frame.capturedLength).isEqualTo(syn.length);
      assertThat(frame.wireLength).isEqualTo(syn.length);
      assertThat(frameBytes(frame)).isEqualTo(syn);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(T0_US + 999_999);
      assertThat(frame.capturedLength).isEqualTo(96);
      assertThat(frame.wireLength).isEqualTo(big.length);
      assertThat(frameBytes(frame)).isEqualTo(Arrays.copyOf(big, 96));

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(T0_US + 1_000_000);

      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void fileOnDiskOpensByName(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("raw.pcap");
    byte[] packet = Arrays.copyOfRange(synFrame(1234), 14, synFrame(1234).length);
    try (PcapFileWriter writer = PcapFileWriter.create(file, LinkType.RAW)) {
      writer.write(T0_US, packet);
    }

    try (CaptureFileReader reader = CaptureFiles.open(file.toString())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.RAW);
      assertThat(frameBytes(frame)).isEqualTo(packet);
      assertThat(reader.next(frame)).isFalse();
    }
  }

  @Test
  void bigEndianMicrosecondFile() throws IOException {
    ByteBuffer b = pcapHeader(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4, LinkType.RAW, 2 * (16 + 4));
    b.putInt(1_700_000_000).putInt(654_321).putInt(4).putInt(60).put(new byte[] {0x45, 1, 2, 3});
    b.putInt(1_700_000_001).putInt(0).putInt(4).putInt(4).put(new byte[] {0x60, 4, 5, 6});

    try (CaptureFileReader reader = open(b.array())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.linkType).isEqualTo(LinkType.RAW);
      assertThat(frame.tsUs).isEqualTo(1_700_000_000_654_321L);
      assertThat(frame.capturedLength).isEqualTo(4);
      assertThat(frame.wireLength).isEqualTo(60);
      assertThat(frameBytes(frame)).containsExactly(0x45, 1, 2, 3);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(1_700_000_001_000_000L);
      assertThat(frameBytes(frame)).containsExactly(0x60, 4, 5, 6);
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void littleEndianNanosecondFileTruncatesToMicroseconds() throws IOException {
    ByteBuffer b = pcapHeader(ByteOrder.LITTLE_ENDIAN, 0xa1b23c4d, LinkType.ETHERNET, 2 * (16 + 2));
    b.putInt(1_700_000_000).putInt(123_456_789).putInt(2).putInt(2).put(new byte[] {7, 8});
    // Seconds above 2^31 (the year 2106 limit of an unsigned field) stay positive.
    b.putInt(0xF0000000).putInt(999).putInt(2).putInt(2).put(new byte[] {9, 10});

    try (CaptureFileReader reader = open(b.array())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(1_700_000_000_123_456L);
      assertThat(frameBytes(frame)).containsExactly(7, 8);

      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(0xF0000000L * 1_000_000L);
      assertThat(reader.next(frame)).isFalse();
    }
  }

  @Test
  void bigEndianNanosecondFile() throws IOException {
    ByteBuffer b = pcapHeader(ByteOrder.BIG_ENDIAN, 0xa1b23c4d, LinkType.ETHERNET, 16 + 1);
    b.putInt(10).putInt(1_999).putInt(1).putInt(1).put((byte) 1);

    try (CaptureFileReader reader = open(b.array())) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.tsUs).isEqualTo(10_000_001L);
    }
  }

  @Test
  void fcsBitsAboveTheLinkTypeAreIgnored() throws IOException {
    ByteBuffer b = pcapHeader(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 0x1400_0000 | LinkType.ETHERNET, 0);

    try (CaptureFileReader reader = open(b.array())) {
      assertThat(((PcapFileReader) reader).linkType()).isEqualTo(LinkType.ETHERNET);
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void truncatedLastRecordEndsReadingWithDamageAfterTheWholeRecords() throws IOException {
    byte[] whole = pcapOf(synFrame(1), synFrame(2), synFrame(3));
    byte[] cut = Arrays.copyOf(whole, whole.length - 10);

    try (CaptureFileReader reader = open(cut)) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frameBytes(frame)).isEqualTo(synFrame(1));
      assertThat(reader.next(frame)).isTrue();
      assertThat(frameBytes(frame)).isEqualTo(synFrame(2));

      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).contains("truncated");
      assertThat(reader.next(frame)).as("stays ended").isFalse();
    }
  }

  @Test
  void truncatedLastRecordHeaderIsDamage() throws IOException {
    byte[] whole = pcapOf(synFrame(1));
    byte[] withPartialHeader = Arrays.copyOf(whole, whole.length + 9); // 9 of 16 header bytes

    try (CaptureFileReader reader = open(withPartialHeader)) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).contains("header is truncated");
    }
  }

  @Test
  void impossibleCapturedLengthIsDamage() throws IOException {
    for (int captured : new int[] {-1, Integer.MAX_VALUE, (64 << 20) + 1}) {
      byte[] good = pcapOf(synFrame(1));
      ByteBuffer bad = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      bad.putInt(1).putInt(0).putInt(captured).putInt(60);
      byte[] file = Arrays.copyOf(good, good.length + 16 + 60);
      System.arraycopy(bad.array(), 0, file, good.length, 16);

      try (CaptureFileReader reader = open(file)) {
        assertThat(reader.next(frame)).isTrue();
        assertThat(reader.next(frame)).isFalse();
        assertThat(reader.damage())
            .contains("impossible captured length")
            .contains(Integer.toUnsignedString(captured));
      }
    }
  }

  @Test
  void recordLargerThanTheReadBufferIsReadWhole() throws IOException {
    byte[] jumbo = new byte[3 << 20];
    for (int i = 0; i < jumbo.length; i++) {
      jumbo[i] = (byte) (i * 31);
    }
    byte[] file = pcapOf(synFrame(1), jumbo, synFrame(2));

    try (CaptureFileReader reader = open(file)) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(reader.next(frame)).isTrue();
      assertThat(frame.capturedLength).isEqualTo(jumbo.length);
      assertThat(frameBytes(frame)).isEqualTo(jumbo);
      assertThat(reader.next(frame)).isTrue();
      assertThat(frameBytes(frame)).isEqualTo(synFrame(2));
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void manyRecordsAcrossBufferRefillsFromATricklingStream() throws IOException {
    int count = 30_000; // about 2.5 MB: several refills of the 1 MB buffer
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapFileWriter writer = new PcapFileWriter(file, LinkType.ETHERNET)) {
      for (int i = 0; i < count; i++) {
        writer.write(T0_US + i, synFrame(i & 0xffff));
      }
    }
    InputStream trickle = new FilterInputStream(new ByteArrayInputStream(file.toByteArray())) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 4093)); // never a whole record's alignment
      }
    };

    int read = 0;
    try (CaptureFileReader reader = CaptureFiles.open(trickle)) {
      while (reader.next(frame)) {
        assertThat(frame.tsUs).isEqualTo(T0_US + read);
        int srcPort = ((frame.data[frame.offset + 34] & 0xff) << 8) | (frame.data[frame.offset + 35] & 0xff);
        assertThat(srcPort).isEqualTo(read & 0xffff);
        read++;
      }
      assertThat(reader.damage()).isNull();
    }
    assertThat(read).isEqualTo(count);
  }

  @Test
  void gzipCompressedCaptureReadsAsTheCaptureItself() throws IOException {
    try (CaptureFileReader reader = open(gzip(pcapOf(synFrame(1), synFrame(2))))) {
      assertThat(reader.next(frame)).isTrue();
      assertThat(frameBytes(frame)).isEqualTo(synFrame(1));
      assertThat(reader.next(frame)).isTrue();
      assertThat(frameBytes(frame)).isEqualTo(synFrame(2));
      assertThat(reader.next(frame)).isFalse();
      assertThat(reader.damage()).isNull();
    }
  }

  @Test
  void damagedGzipStreamEndsTheCaptureWithDamageKeepingWhatWasRead() throws IOException {
    // Found by PcapFileReaderFuzzTest (finding-gzip-corrupt-trailer): a corrupt trailer made
    // the reader throw a ZipException and lose the frames read before it.
    byte[] bytes = gzip(pcapOf(synFrame(1), synFrame(2)));
    bytes[bytes.length - 5] ^= 0x55; // the CRC-32 in the trailer

    try (CaptureFileReader reader = open(bytes)) {
      int frames = 0;
      while (reader.next(frame)) {
        frames++;
      }
      assertThat(frames).isEqualTo(2);
      assertThat(reader.damage()).contains("gzip stream is damaged");
    }
  }

  @Test
  void gzipMagicWithoutAGzipHeaderIsAFormatError() {
    assertThatThrownBy(() -> open(new byte[] {0x1f, (byte) 0x8b, 0, 0, 0}))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageContaining("gzip");
  }

  @Test
  void nonPcapInputIsAFormatErrorNamingTheMagic() {
    byte[] http = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> open(http))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageContaining("not a pcap file")
        .hasMessageContaining("47455420"); // "GET "
  }

  @Test
  void truncatedFileHeaderIsAFormatError() {
    byte[] header = pcapHeader(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, 1, 0).array();

    assertThatThrownBy(() -> open(Arrays.copyOf(header, 10)))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void emptyInputIsAFormatError() {
    assertThatThrownBy(() -> open(new byte[0]))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void missingFileIsAnIoErrorNotAFormatError(@TempDir Path dir) {
    assertThatThrownBy(() -> CaptureFiles.open(dir.resolve("absent.pcap").toString()))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(CaptureFormatException.class);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(bytes);
    }
    return gz.toByteArray();
  }

  private static byte[] pcapOf(byte[]... frames) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (PcapFileWriter writer = new PcapFileWriter(file, LinkType.ETHERNET)) {
      long ts = T0_US;
      for (byte[] f : frames) {
        writer.write(ts++, f);
      }
    }
    return file.toByteArray();
  }
}
