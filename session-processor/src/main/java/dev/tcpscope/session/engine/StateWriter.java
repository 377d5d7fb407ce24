package dev.tcpscope.session.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Avro's binary encoding, written by hand into a growable array: the engine stays free of
 * Avro, and it is faster than {@code DataOutputStream} (which writes an int as four
 * synchronized single-byte calls). Varints rather than a fixed layout: counters, states and
 * lengths are small, so a session's state is about 40% smaller, and every changed session is
 * written to the changelog at every commit.
 */
final class StateWriter implements StateOut {
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

  @Override
  public void writeInt(int v) {
    writeLong(v);
  }

  @Override
  public void writeLong(long v) {
    ensure(10);
    long n = (v << 1) ^ (v >> 63); // zig-zag: small magnitudes, either sign, in few bytes
    while ((n & ~0x7FL) != 0) {
      buffer[size++] = (byte) ((n & 0x7F) | 0x80);
      n >>>= 7;
    }
    buffer[size++] = (byte) n;
  }

  @Override
  public void writeBoolean(boolean v) {
    ensure(1);
    buffer[size++] = (byte) (v ? 1 : 0);
  }

  @Override
  public void writeBytes(byte[] b, int offset, int length) {
    writeLong(length);
    ensure(length);
    System.arraycopy(b, offset, buffer, size, length);
    size += length;
  }

  @Override
  public void writeString(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    writeBytes(utf8, 0, utf8.length);
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }
}
