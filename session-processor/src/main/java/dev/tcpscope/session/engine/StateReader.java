package dev.tcpscope.session.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link StateWriter} wrote (Avro's binary encoding); anything truncated or
 * malformed is an {@link IllegalArgumentException}, never another exception.
 */
final class StateReader {
  private final byte[] data;
  private int at;

  StateReader(byte[] data) {
    this.data = data;
  }

  long readLong() {
    long raw = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= data.length) {
        throw new IllegalArgumentException("truncated session state at byte " + at);
      }
      int b = data[at++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new IllegalArgumentException("damaged session state: a number over 10 bytes");
  }

  int readInt() {
    long v = readLong();
    if (v != (int) v) {
      throw new IllegalArgumentException("damaged session state: an int out of range");
    }
    return (int) v;
  }

  /** An int that must lie in [min, max]: lengths, counts, enum ordinals. */
  int readInt(int min, int max, String what) {
    int v = readInt();
    if (v < min || v > max) {
      throw new IllegalArgumentException("session state with " + what + " " + v);
    }
    return v;
  }

  boolean readBoolean() {
    if (at >= data.length) {
      throw new IllegalArgumentException("truncated session state at byte " + at);
    }
    int b = data[at++];
    if (b != 0 && b != 1) {
      throw new IllegalArgumentException("damaged session state: a boolean of " + b);
    }
    return b == 1;
  }

  byte[] readBytes(int maxLength, String what) {
    int length = readInt(0, maxLength, what + " of length");
    if (at + length > data.length) {
      throw new IllegalArgumentException("truncated session state at byte " + at);
    }
    byte[] b = Arrays.copyOfRange(data, at, at + length);
    at += length;
    return b;
  }

  String readString() {
    return new String(readBytes(data.length, "a string"), StandardCharsets.UTF_8);
  }

  boolean atEnd() {
    return at == data.length;
  }
}
