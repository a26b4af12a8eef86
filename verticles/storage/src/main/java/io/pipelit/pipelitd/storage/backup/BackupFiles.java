package io.pipelit.pipelitd.storage.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * File steps of a backup: private folders and files (backups hold password hashes and ciphertexts),
 * fsync, atomic rename, SHA-256, gzip. Every write goes to a temporary name first; a failure (a full
 * disk, an I/O error) removes what was partly written.
 */
public final class BackupFiles {
  private BackupFiles() {}

  /** Copy buffer, bytes. */
  private static final int BUFFER = 1 << 16;

  /**
   * Opens the stream a compressed copy is written to. Production uses {@link #DEFAULT_OPENER}; tests pass
   * one that fails part-way, as a full disk would.
   */
  @FunctionalInterface
  public interface StreamOpener {
    OutputStream open(Path file) throws IOException;
  }

  public static final StreamOpener DEFAULT_OPENER = file -> Files.newOutputStream(file,
      StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  /** Creates a folder (and its parents) readable by its owner only when new (0700). */
  public static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException createdMeanwhile) {
      // someone else created it first: fine
    }
  }

  /**
   * A new temporary folder readable by its owner only (0700): restore scripts hold the database's rows
   * (encrypted secrets included), so no other local user may read them while they exist.
   */
  public static Path createPrivateTempDirectory(String prefix) throws IOException {
    try {
      return Files.createTempDirectory(prefix,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      return Files.createTempDirectory(prefix);
    }
  }

  /** Makes a file readable by its owner only (0600), where the file system knows POSIX modes. */
  public static void makePrivate(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // nothing to do on such a file system
    }
  }

  /** Forces a file's content to the disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /** Forces a folder's entries (a rename) to the disk; best effort where directories cannot be opened. */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // not supported on every platform; the rename itself is still atomic
    }
  }

  /** Renames atomically (same folder or same file system), then syncs the target's folder. */
  public static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
    Path parent = to.toAbsolutePath().getParent();
    if (parent != null) {
      fsyncDirectory(parent);
    }
  }

  /** Publishes a finished file: readable by its owner only, synced, then renamed to {@code target}. */
  public static void publish(Path partial, Path target) throws IOException {
    makePrivate(partial);
    fsync(partial);
    moveAtomically(partial, target);
  }

  /** Hex SHA-256 of a file's bytes. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Hex SHA-256 of some bytes. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Writes a gzip copy of {@code source} to {@code target} through {@code opener}, then fsyncs it. On any
   * failure the partial target is deleted and the failure rethrown; {@code source} is never touched.
   */
  public static void gzip(Path source, Path target, StreamOpener opener, Cancellation cancellation)
      throws IOException {
    try {
      try (InputStream in = Files.newInputStream(source);
           OutputStream out = fastGzip(opener.open(target))) {
        byte[] buffer = new byte[BUFFER];
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          cancellation.check();
          out.write(buffer, 0, read);
        }
      }
      makePrivate(target);
      fsync(target);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(target);
      throw e;
    }
  }

  /**
   * gzip at the fastest level: a backup is written often and read rarely, and the default level costs
   * several times the copy itself on incompressible data (blobs, ciphertexts) for little gain.
   */
  private static OutputStream fastGzip(OutputStream out) throws IOException {
    return new GZIPOutputStream(out, BUFFER) {
      {
        def.setLevel(java.util.zip.Deflater.BEST_SPEED);
      }
    };
  }

  /** Writes the decompressed content of a gzip file to {@code target} (a new file). */
  public static void gunzip(Path source, Path target) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(source), BUFFER);
         OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      in.transferTo(out);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(target);
      throw e;
    }
    makePrivate(target);
  }

  /** Deletes a file if present, ignoring failures (cleanup after a failure). */
  public static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // best effort: the caller is already reporting a failure
    }
  }

  /** Deletes a folder and everything in it. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** {@link #deleteTree} ignoring failures. */
  public static void deleteTreeQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
