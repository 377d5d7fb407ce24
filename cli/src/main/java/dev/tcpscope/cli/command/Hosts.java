package dev.tcpscope.cli.command;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The default observer id: this host's name. */
final class Hosts {
  private Hosts() {}

  static String observerOr(String given) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env != null && !env.isBlank() ? env : "localhost";
    }
  }
}
