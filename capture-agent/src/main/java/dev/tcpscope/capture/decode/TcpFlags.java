package dev.tcpscope.capture.decode;

/** TCP flag bits as on the wire (RFC 793, RFC 3168 for ECE/CWR, RFC 3540 for NS). */
public final class TcpFlags {
  private TcpFlags() {}

  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;
  public static final int NS = 0x100;
}
