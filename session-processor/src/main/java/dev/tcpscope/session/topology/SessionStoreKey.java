package dev.tcpscope.session.topology;

import java.nio.charset.StandardCharsets;

/**
 * The state store's key: (connection, observer), laid out as a 2-byte length, the Kafka key
 * bytes of the connection, then the observer id in UTF-8, so the connection key can be taken
 * back out when a punctuator ends a session.
 */
final class SessionStoreKey {
  private SessionStoreKey() {}

  static byte[] of(byte[] connectionKey, String observer) {
    byte[] id = observer.getBytes(StandardCharsets.UTF_8);
    byte[] key = new byte[2 + connectionKey.length + id.length];
    key[0] = (byte) (connectionKey.length >> 8);
    key[1] = (byte) connectionKey.length;
    System.arraycopy(connectionKey, 0, key, 2, connectionKey.length);
    System.arraycopy(id, 0, key, 2 + connectionKey.length, id.length);
    return key;
  }

  /** The start every store key of this connection shares, whatever its observer. */
  static byte[] connectionPrefix(byte[] connectionKey) {
    byte[] prefix = new byte[2 + connectionKey.length];
    prefix[0] = (byte) (connectionKey.length >> 8);
    prefix[1] = (byte) connectionKey.length;
    System.arraycopy(connectionKey, 0, prefix, 2, connectionKey.length);
    return prefix;
  }

  static byte[] connectionKey(byte[] storeKey) {
    int length = ((storeKey[0] & 0xff) << 8) | (storeKey[1] & 0xff);
    byte[] connection = new byte[length];
    System.arraycopy(storeKey, 2, connection, 0, length);
    return connection;
  }
}
