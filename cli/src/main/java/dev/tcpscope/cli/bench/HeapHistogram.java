package dev.tcpscope.cli.bench;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The JVM's class histogram of live objects (what {@code jcmd PID GC.class_histogram} prints,
 * after a full collection), read through the platform's diagnostic command bean.
 */
final class HeapHistogram {
  private HeapHistogram() {}

  /** Live instances of the class and the bytes they take (shallow), after a full collection. */
  static long[] instancesAndBytes(String className) {
    String text;
    try {
      text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {null}, new String[] {String[].class.getName()});
    } catch (JMException e) {
      throw new IllegalStateException("no class histogram from this JVM: " + e.getMessage(), e);
    }
    // "   5:        50000        2400000  dev.tcpscope.session.engine.KeptSegment"
    for (String line : text.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 4 && words[3].equals(className)) {
        return new long[] {Long.parseLong(words[1]), Long.parseLong(words[2])};
      }
    }
    return new long[] {0, 0};
  }
}
