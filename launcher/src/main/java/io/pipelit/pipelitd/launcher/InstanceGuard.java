package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per SQLite database: a second {@code pipelitd run} on the same file would be a second
 * writer and break the single-writer guarantee ("database is locked" would come back). The guard is an
 * OS file lock on {@code <database>.pipelitd-lock}, held for the daemon's lifetime; the OS releases it
 * when the process ends however it ends, so a guard left by a crash ({@code kill -9}, power loss) never
 * blocks a restart. The file also records the holder's pid for the refusal message.
 *
 * <p>The checkpoint database, when it is a SQLite file, is guarded the same way. PostgreSQL needs no
 * guard: several daemons may share one server. {@code setup} and other short
 * commands do not take it; their writes wait on SQLite's busy timeout like any other client's.
 */
final class InstanceGuard implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;
  /** Guards taken together with this one (the checkpoint database's), released with it. */
  private final java.util.List<InstanceGuard> others = new java.util.ArrayList<>();

  private InstanceGuard(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the guards of several databases (the main one, the checkpoint one), all or none. */
  static InstanceGuard acquireAll(java.util.List<DatabaseUrl> urls) {
    InstanceGuard all = new InstanceGuard(null, null);
    try {
      for (DatabaseUrl url : urls) {
        all.others.add(acquire(url));
      }
      return all;
    } catch (RuntimeException e) {
      all.close();
      throw e;
    }
  }

  /** Takes the guard of this database, or fails (exit code 1) naming the daemon that holds it. */
  static InstanceGuard acquire(DatabaseUrl url) {
    if (url.backend() != DatabaseUrl.Backend.SQLITE) {
      return new InstanceGuard(null, null);
    }
    Path database = url.sqlitePath();
    Path file = database.resolveSibling(database.getFileName() + ".pipelitd-lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException heldInThisProcess) {
        // Another part of this JVM (an in-process daemon, e.g. under `copy` in tests) holds it.
        lock = null;
      }
      if (lock == null) {
        String holder = readHolder(channel);
        channel.close();
        throw new Failures.UserFacingException("another pipelitd" + holder + " is already serving " + database
            + "; two daemons on one SQLite file would be two writers. Stop it first, or give this one"
            + " another DATABASE_URL", ExitCodes.FAILURE, null);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new InstanceGuard(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new Failures.UserFacingException("cannot take the instance lock " + file + ": " + e.getMessage(),
          ExitCodes.FAILURE, e);
    }
  }

  /**
   * The guard of this SQLite database, or null while a running daemon holds it (so a command can go
   * through that daemon instead). PostgreSQL: always a guard that guards nothing.
   */
  static InstanceGuard tryAcquire(DatabaseUrl url) {
    if (url.backend() != DatabaseUrl.Backend.SQLITE) {
      return new InstanceGuard(null, null);
    }
    Path database = url.sqlitePath();
    Path file = database.resolveSibling(database.getFileName() + ".pipelitd-lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException heldInThisProcess) {
        lock = null; // an embedded daemon of this very JVM serves the file
      }
      if (lock == null) {
        channel.close();
        return null;
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new InstanceGuard(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new Failures.UserFacingException("cannot take the instance lock " + file + ": " + e.getMessage(),
          ExitCodes.FAILURE, e);
    }
  }

  private static String readHolder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(64);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
      return text.startsWith("pid ") ? " (" + text + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing more to release
      }
    }
  }

  /** Releases the guard (the file stays; an unlocked file blocks nobody). */
  @Override
  public void close() {
    others.forEach(InstanceGuard::close);
    if (lock != null) {
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel releases it too
      }
    }
    closeQuietly(channel);
  }
}
