package io.pipelit.pipelitd.storage.transfer;

/** Callbacks while rows move, for a terminal display or a log; called on the moving thread. */
public interface Progress {

  /** A table starts; {@code expectedRows} is -1 when unknown. */
  default void tableStarted(String table, long expectedRows) {}

  /** Rows of the current table moved so far (called every batch). */
  default void rowsMoved(String table, long rowsSoFar) {}

  /** A table is done: {@code rows} rows in {@code nanos} nanoseconds. */
  default void tableDone(String table, long rows, long nanos) {}

  /** Reports nothing. */
  static Progress silent() {
    return new Progress() { };
  }
}
