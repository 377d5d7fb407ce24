package dev.tcpscope.session.engine;

/**
 * One line of a reported session's ladder.
 *
 * @param index position of the segment in its session (a gap before it is the '****' line)
 * @param fromClient direction: true for client to server
 * @param flags TCP flag bits as on the wire
 * @param length frame size on the wire (miruo's size column)
 * @param options the TCP options in miruo's notation
 * @param clientState the client's state after the segment (left column)
 * @param serverState the server's state after the segment (right column)
 * @param http the HTTP request or status line the segment carried (-m http), or null
 */
public record ShownLine(
    int index,
    long tsUs,
    boolean fromClient,
    int flags,
    long seq,
    long ack,
    int length,
    int payloadLength,
    boolean fragment,
    String options,
    String clientState,
    String serverState,
    Mark mark,
    String http) {

  /** Whether {@link #http} is a response's status line rather than a request line. */
  public boolean httpResponse() {
    return http != null && http.startsWith("HTTP/");
  }

  /** miruo's six flag positions UAPRSF, a dash where the flag is absent. */
  public String flagText() {
    char[] text = new char[6];
    String letters = "UAPRSF";
    int[] bits = {Segment.URG, Segment.ACK, Segment.PSH, Segment.RST, Segment.SYN, Segment.FIN};
    for (int i = 0; i < 6; i++) {
      text[i] = (flags & bits[i]) != 0 ? letters.charAt(i) : '-';
    }
    return new String(text);
  }
}
