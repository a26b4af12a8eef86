package io.pipelit.pipelitd.launcher;

/**
 * The process exit codes of every pipelitd command, in one place.
 *
 * <p>{@link #USAGE} is also what invalid configuration exits with, so that a service manager can
 * refuse to restart a daemon that cannot start as configured (systemd:
 * {@code RestartPreventExitStatus=2}).
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success. */
  public static final int OK = 0;
  /** A runtime failure: the database cannot be opened, the port is taken, an admin already exists. */
  public static final int FAILURE = 1;
  /** Bad command line or invalid configuration: retrying without a change cannot help. */
  public static final int USAGE = 2;
}
