package dev.tcpscope.capture.decode;

/**
 * The TCP options of one segment, read at offsets into a reused instance (RFC 9293 and the
 * options' own RFCs): MSS (kind 2), window scale (3), SACK permitted (4), SACK blocks (5),
 * timestamps (8), TCP Fast Open (34, and the experimental 254 with magic 0xF989), any other
 * option as kind and length. Never throws: a length that overruns the list or is below 2
 * stops reading and sets {@link #malformed}, as Wireshark and Zeek do.
 */
public final class TcpOptions {
  public static final int END = 0;
  public static final int NOP = 1;
  public static final int MSS = 2;
  public static final int WINDOW_SCALE = 3;
  public static final int SACK_PERMITTED = 4;
  public static final int SACK = 5;
  public static final int TIMESTAMPS = 8;
  public static final int FAST_OPEN = 34;
  public static final int EXPERIMENTAL = 254;
  private static final int FAST_OPEN_MAGIC = 0xF989;

  /** -1 when absent. */
  public int mss;
  /** Shift count, -1 when absent. */
  public int windowScale;
  public boolean sackPermitted;
  /** SACK blocks present (at most 4 fit in 40 bytes); left and right edges in {@link #sack}. */
  public int sackBlocks;
  public final long[] sack = new long[8];
  public boolean timestamps;
  public long tsVal;
  public long tsEcr;
  /** TCP Fast Open option present; its cookie length (0: a cookie request). */
  public boolean fastOpen;
  public int fastOpenCookieLength;
  /** Options of other kinds, as kind and length, in order (at most 20 fit). */
  public int otherCount;
  public final int[] otherKind = new int[20];
  public final int[] otherLength = new int[20];
  /** An option's length was below 2 or overran the option list; reading stopped there. */
  public boolean malformed;

  /** Reads the options in {@code b[offset, offset + length)} into {@code this}. */
  public TcpOptions read(byte[] b, int offset, int length) {
    mss = -1;
    windowScale = -1;
    sackPermitted = false;
    sackBlocks = 0;
    timestamps = false;
    fastOpen = false;
    fastOpenCookieLength = 0;
    otherCount = 0;
    malformed = false;
    int end = offset + Math.max(0, Math.min(length, b.length - offset));
    int p = offset;
    while (p < end) {
      int kind = b[p] & 0xff;
      if (kind == END) {
        break;
      }
      if (kind == NOP) {
        p++;
        continue;
      }
      if (end - p < 2) {
        malformed = true;
        break;
      }
      int optionLength = b[p + 1] & 0xff;
      if (optionLength < 2 || optionLength > end - p) {
        malformed = true;
        break;
      }
      option(kind, b, p + 2, optionLength);
      p += optionLength;
    }
    return this;
  }

  private void option(int kind, byte[] b, int value, int optionLength) {
    switch (kind) {
      case MSS -> {
        if (optionLength == 4) {
          mss = u16(b, value);
          return;
        }
      }
      case WINDOW_SCALE -> {
        if (optionLength == 3) {
          windowScale = b[value] & 0xff;
          return;
        }
      }
      case SACK_PERMITTED -> {
        if (optionLength == 2) {
          sackPermitted = true;
          return;
        }
      }
      case SACK -> {
        if (optionLength >= 10 && (optionLength - 2) % 8 == 0) {
          int blocks = Math.min(4, (optionLength - 2) / 8);
          for (int i = 0; i < blocks; i++) {
            sack[2 * i] = u32(b, value + 8 * i);
            sack[2 * i + 1] = u32(b, value + 8 * i + 4);
          }
          sackBlocks = blocks;
          return;
        }
      }
      case TIMESTAMPS -> {
        if (optionLength == 10) {
          timestamps = true;
          tsVal = u32(b, value);
          tsEcr = u32(b, value + 4);
          return;
        }
      }
      case FAST_OPEN -> {
        fastOpen = true;
        fastOpenCookieLength = optionLength - 2;
        return;
      }
      case EXPERIMENTAL -> {
        if (optionLength >= 4 && u16(b, value) == FAST_OPEN_MAGIC) {
          fastOpen = true;
          fastOpenCookieLength = optionLength - 4;
          return;
        }
      }
      default -> {
        // below
      }
    }
    // Any other kind, or a known kind with a length its RFC does not allow: kind and length.
    if (otherCount < otherKind.length) {
      otherKind[otherCount] = kind;
      otherLength[otherCount] = optionLength;
      otherCount++;
    }
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
