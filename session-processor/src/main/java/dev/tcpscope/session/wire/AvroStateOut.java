package dev.tcpscope.session.wire;

import dev.tcpscope.session.engine.StateOut;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;

/**
 * Avro's own binary encoder behind the session state codec's {@link StateOut}: the reference
 * the hand-written writer is checked against (byte for byte) and measured against.
 */
public final class AvroStateOut implements StateOut {
  private final BinaryEncoder out;

  public AvroStateOut(BinaryEncoder out) {
    this.out = out;
  }

  @Override
  public void writeInt(int v) {
    try {
      out.writeInt(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeLong(long v) {
    try {
      out.writeLong(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeBoolean(boolean v) {
    try {
      out.writeBoolean(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeBytes(byte[] b, int offset, int length) {
    try {
      out.writeBytes(b, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeString(String s) {
    try {
      out.writeString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
