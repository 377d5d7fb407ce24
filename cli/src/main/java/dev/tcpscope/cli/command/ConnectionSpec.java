package dev.tcpscope.cli.command;

import dev.tcpscope.capture.publish.SegmentRecords;
import dev.tcpscope.schemas.serde.TcpscopeSerdes;
import dev.tcpscope.schemas.v1.ConnectionKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A connection as users write it, {@code A:P-B:P} (IPv6 in brackets: {@code [2001:db8::1]:443}),
 * either side first, and its Kafka key: both endpoints in the agent's canonical order.
 */
public record ConnectionSpec(byte[] ipA, int portA, byte[] ipB, int portB) {
  private static final Pattern ENDPOINT =
      Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)):(\\d{1,5})");
  private static final Pattern SPEC =
      Pattern.compile(ENDPOINT.pattern() + "-" + ENDPOINT.pattern());

  /**
   * @throws IllegalArgumentException saying what is wrong and what is accepted
   */
  public static ConnectionSpec parse(String text) {
    Matcher m = SPEC.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--connection '" + text + "': expected ADDRESS:PORT-"
          + "ADDRESS:PORT, e.g. 10.0.0.1:40000-10.0.0.2:443 or [2001:db8::1]:443-[2001:db8::2]:5000");
    }
    byte[] a = address(m.group(1) != null ? m.group(1) : m.group(2), text);
    byte[] b = address(m.group(4) != null ? m.group(4) : m.group(5), text);
    if (a.length != b.length) {
      throw new IllegalArgumentException("--connection '" + text
          + "': both endpoints must be IPv4, or both IPv6");
    }
    return new ConnectionSpec(a, port(m.group(3), text), b, port(m.group(6), text));
  }

  private static byte[] address(String literal, String text) {
    try {
      // only literals reach here (the pattern allows digits, dots, colons and hex): no lookup
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--connection '" + text + "': '" + literal
          + "' is not an IP address");
    }
  }

  private static int port(String digits, String text) {
    int port = Integer.parseInt(digits);
    if (port > 65535) {
      throw new IllegalArgumentException("--connection '" + text + "': port " + port
          + " is above 65535");
    }
    return port;
  }

  /** The connection's Kafka key, as the agent writes it. */
  public byte[] kafkaKey() {
    boolean aIsLow = SegmentRecords.compareEndpoints(ipA, portA, ipB, portB, ipA.length) <= 0;
    ConnectionKey key = aIsLow
        ? new ConnectionKey(ByteBuffer.wrap(ipA), portA, ByteBuffer.wrap(ipB), portB)
        : new ConnectionKey(ByteBuffer.wrap(ipB), portB, ByteBuffer.wrap(ipA), portA);
    return TcpscopeSerdes.connectionKey().encode(key);
  }
}
