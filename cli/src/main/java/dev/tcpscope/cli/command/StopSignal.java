package dev.tcpscope.cli.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Waits for Ctrl-C (SIGINT) or SIGTERM without starting the JVM's shutdown, so the caller
 * closes what it runs in order (viewer, processor, web server, then the broker) instead of
 * shutdown hooks racing each other: the embedded broker's hook would stop the broker under a
 * processor still committing. {@code sun.misc.Signal} (module jdk.unsupported, kept for exactly
 * this use; Kafka's own command-line tools use it) is the only way to catch a signal in Java.
 * A second Ctrl-C while closing falls through to the JVM's default: exit.
 */
public final class StopSignal {
  private StopSignal() {}

  /** Waits for the signal. */
  public static void await() throws InterruptedException {
    await(Duration.ofDays(365), () -> true);
  }

  /**
   * Waits for the signal, asking every {@code tick} whether to go on waiting.
   *
   * @return true when the signal came, false when {@code goOn} said to stop
   */
  public static boolean await(Duration tick, BooleanSupplier goOn) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    List<Signal> caught = new ArrayList<>();
    List<SignalHandler> previous = new ArrayList<>();
    for (String name : List.of("INT", "TERM")) {
      try {
        Signal signal = new Signal(name);
        previous.add(Signal.handle(signal, s -> stop.countDown()));
        caught.add(signal);
      } catch (IllegalArgumentException unavailable) {
        // the platform cannot catch it; the JVM's default (shutdown hooks) still applies
      }
    }
    try {
      while (!stop.await(tick.toMillis(), TimeUnit.MILLISECONDS)) {
        if (!goOn.getAsBoolean()) {
          return false;
        }
      }
      return true;
    } finally {
      for (int i = 0; i < caught.size(); i++) {
        Signal.handle(caught.get(i), previous.get(i));
      }
    }
  }
}
