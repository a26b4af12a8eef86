package io.pipelit.pipelitd.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cross-process lock of a SQLite file's set-up: {@code <file>.migrate-lock}, held while a new file is
 * initialised ({@code auto_vacuum}, WAL) and while migrations run, so that the daemon and a command such as
 * {@code pipelitd setup} starting on the same fresh file at the same moment take turns instead of writing
 * under each other's transactions (SQLITE_BUSY_SNAPSHOT). Threads of one JVM queue on a monitor first (a
 * JVM cannot hold two locks on one file); a thread that already holds it runs nested work directly.
 */
final class SqliteFileLock {
  private SqliteFileLock() {}

  private static final Map<Path, Object> LOCAL_LOCKS = new ConcurrentHashMap<>();
  private static final ThreadLocal<Set<Path>> HELD = ThreadLocal.withInitial(HashSet::new);

  interface Work<T> {
    T run() throws IOException;
  }

  /** The lock file of a database file. */
  static Path of(Path databaseFile) {
    Path absolute = databaseFile.toAbsolutePath().normalize();
    return absolute.resolveSibling(absolute.getFileName() + ".migrate-lock");
  }

  /** Runs {@code work} holding {@code lockFile}, waiting (blocking: a worker thread) while another holds it. */
  static <T> T holding(Path lockFile, Work<T> work) throws IOException {
    if (HELD.get().contains(lockFile)) {
      return work.run();
    }
    synchronized (LOCAL_LOCKS.computeIfAbsent(lockFile, path -> new Object())) {
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock lock = channel.lock()) {
        HELD.get().add(lockFile);
        try {
          return work.run();
        } finally {
          HELD.get().remove(lockFile);
        }
      }
    }
  }
}
