package dev.tcpscope.session.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The big-endian writes {@link SessionStateCodec} needs, into a growable array. Not {@code
 * DataOutputStream} over a {@code ByteArrayOutputStream}: that writes an int as four
 * synchronized single-byte calls, and every dirty session is encoded at each commit, so it
 * was a fifth of the processor's time.
 */
final class StateWriter {
  private byte[] buffer;
  private int size;

  StateWriter(int capacity) {
    buffer = new byte[Math.max(capacity, 16)];
  }

  private void ensure(int more) {
    if (size + more > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
    }
  }

  void writeByte(int v) {
    ensure(1);
    buffer[size++] = (byte) v;
  }

  void writeBoolean(boolean v) {
    writeByte(v ? 1 : 0);
  }

  void writeShort(int v) {
    ensure(2);
    buffer[size++] = (byte) (v >>> 8);
    buffer[size++] = (byte) v;
  }

  void writeInt(int v) {
    ensure(4);
    buffer[size++] = (byte) (v >>> 24);
    buffer[size++] = (byte) (v >>> 16);
    buffer[size++] = (byte) (v >>> 8);
    buffer[size++] = (byte) v;
  }

  void writeLong(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (v >>> shift);
    }
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void write(byte[] b, int offset, int length) {
    ensure(length);
    System.arraycopy(b, offset, buffer, size, length);
    size += length;
  }

  /**
   * A string as a 2-byte length and its bytes, readable by {@code DataInputStream.readUTF} for
   * every string without NUL or characters beyond the Basic Multilingual Plane (observer ids,
   * file names and history letters); others are refused rather than written unreadably.
   */
  void writeUTF(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    boolean modifiedUtf8Compatible = bytes.length <= 0xffff;
    for (int i = 0; i < s.length() && modifiedUtf8Compatible; i++) {
      char c = s.charAt(i);
      modifiedUtf8Compatible = c != 0 && !Character.isSurrogate(c);
    }
    if (!modifiedUtf8Compatible) {
      throw new IllegalArgumentException("string not storable in session state: " + s);
    }
    writeShort(bytes.length);
    write(bytes);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }
}
