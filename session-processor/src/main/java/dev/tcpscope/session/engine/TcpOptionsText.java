package dev.tcpscope.session.engine;

/**
 * TCP options in miruo's notation: {@code mss=1460, sackOK, timestamp 1 0, wscale=7},
 * {@code sack N} for SACK blocks, {@code len=L opt[K]} for any other option. Unlike miruo,
 * a length of 0 or 1 or one running past the header ends the list instead of crashing.
 */
public final class TcpOptionsText {
  private TcpOptionsText() {}

  public static String describe(byte[] options, int offset, int length) {
    if (length <= 0) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    int at = offset;
    int end = offset + length;
    while (at < end) {
      int kind = options[at] & 0xff;
      if (kind == 0) {
        break;
      }
      if (kind == 1) {
        at++;
        continue;
      }
      if (at + 1 >= end) {
        break;
      }
      int optionLength = options[at + 1] & 0xff;
      if (optionLength < 2 || at + optionLength > end) {
        append(out, "bad option length " + optionLength + " opt[" + kind + "]");
        break;
      }
      int value = at + 2;
      switch (kind) {
        case 2 -> append(out, optionLength == 4 ? "mss=" + u16(options, value) : other(kind, optionLength));
        case 3 -> append(out, optionLength == 3 ? "wscale=" + (options[value] & 0xff) : other(kind, optionLength));
        case 4 -> append(out, "sackOK");
        case 5 -> append(out, "sack " + (optionLength - 2) / 8);
        case 8 ->
            append(
                out,
                optionLength == 10
                    ? "timestamp " + u32(options, value) + " " + u32(options, value + 4)
                    : other(kind, optionLength));
        case 34 -> append(out, "tfo" + (optionLength > 2 ? " cookie" : ""));
        default -> append(out, other(kind, optionLength));
      }
      at += optionLength;
    }
    return out.toString();
  }

  private static String other(int kind, int length) {
    return "len=" + length + " opt[" + kind + "]";
  }

  private static void append(StringBuilder out, String text) {
    if (out.length() > 0) {
      out.append(", ");
    }
    out.append(text);
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
