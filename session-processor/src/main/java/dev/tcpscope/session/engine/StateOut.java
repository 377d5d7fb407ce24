package dev.tcpscope.session.engine;

/**
 * Where {@link SessionStateCodec} writes a session's fields, in order, in the terms of Avro's
 * binary encoding: ints and longs (zig-zag varints), booleans, bytes and strings (length
 * first). {@link StateWriter} writes exactly Avro's bytes without Avro in the engine; the
 * state-encoding benchmark and a test run the same fields through Avro's own encoder.
 */
public interface StateOut {
  void writeInt(int v);

  void writeLong(long v);

  void writeBoolean(boolean v);

  void writeBytes(byte[] b, int offset, int length);

  default void writeBytes(byte[] b) {
    writeBytes(b, 0, b.length);
  }

  void writeString(String s);
}
