package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import java.nio.file.Path;

/**
 * Stands in for a running daemon in another process: takes the instance guard of the SQLite database
 * given as argument, prints "held", and keeps it until its standard input closes.
 */
public final class HoldInstanceGuard {
  private HoldInstanceGuard() {}

  public static void main(String[] args) throws Exception {
    try (InstanceGuard guard = InstanceGuard.acquire(DatabaseUrl.parse(args[0], Path.of("")))) {
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our stdin
      }
    }
  }
}
