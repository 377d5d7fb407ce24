package dev.tcpscope.cli.bench;

/** Used heap after full collections: the difference across building something is its size. */
public final class MemoryProbe {
  private MemoryProbe() {}

  public static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
