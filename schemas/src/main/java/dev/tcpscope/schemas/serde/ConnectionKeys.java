package dev.tcpscope.schemas.serde;

import dev.tcpscope.schemas.v1.ConnectionKey;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The canonical order of a connection's endpoints (the lower first: address bytes compared
 * unsigned, then port), as {@code ConnectionKey.avsc} defines it, and the Kafka key it gives.
 */
public final class ConnectionKeys {
  private ConnectionKeys() {}

  /** Negative when endpoint A is the lower one. */
  public static int compare(byte[] ipA, int portA, byte[] ipB, int portB, int length) {
    int byAddress = Arrays.compareUnsigned(ipA, 0, length, ipB, 0, length);
    return byAddress != 0 ? byAddress : Integer.compare(portA, portB);
  }

  /** The connection's key record, either endpoint first. */
  public static ConnectionKey of(byte[] ipA, int portA, byte[] ipB, int portB) {
    int length = ipA.length;
    ByteBuffer a = ByteBuffer.wrap(Arrays.copyOf(ipA, length));
    ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(ipB, length));
    return compare(ipA, portA, ipB, portB, length) <= 0
        ? new ConnectionKey(a, portA, b, portB)
        : new ConnectionKey(b, portB, a, portA);
  }
}
