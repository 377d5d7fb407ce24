package dev.tcpscope.cli.cluster;

import dev.tcpscope.cli.Tcpscope;
import java.io.IOException;

/**
 * The main of every process {@code tcpscope cluster} starts: a KRaft node ({@code kraft-node
 * FILE}) or any tcpscope subcommand ({@code processor ...}, {@code agent ...}, {@code web ...}).
 * The parent holds this process's standard input; when the parent is gone however it ended
 * (even SIGKILL, which runs none of its hooks), standard input ends and this process exits
 * through its own shutdown hooks, so no broker, agent or processor is left running alone.
 */
public final class ClusterMember {
  private ClusterMember() {}

  public static void main(String[] args) throws Exception {
    Thread orphaned = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent writes nothing; only the end matters
        }
      } catch (IOException e) {
        // a broken pipe is the parent's end too
      }
      System.exit(0);
    }, "tcpscope-parent-watch");
    orphaned.setDaemon(true);
    orphaned.start();
    if (args.length == 2 && args[0].equals("kraft-node")) {
      KraftNode.run(java.nio.file.Path.of(args[1]));
      return;
    }
    System.exit(Tcpscope.commandLine(args).execute(args));
  }
}
