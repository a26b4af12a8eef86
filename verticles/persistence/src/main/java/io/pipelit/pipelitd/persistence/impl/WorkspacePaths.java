package io.pipelit.pipelitd.persistence.impl;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.StoreException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The folders of workspaces, all under one root ({@code $PIPELIT_DIR/workspaces}). Every method does
 * file I/O: call them from a worker thread (executeBlocking), never from an event loop.
 *
 * <p>A path is accepted only when it lies strictly under the root after resolving real paths: no
 * {@code ..} segment at all, no absolute path elsewhere, and no symbolic link on the way that leads out
 * of the root (links that stay inside are followed). Operations that create or remove folders check
 * again right before acting and, for creation, once more afterwards; removal never follows links (a
 * link is removed, not its target).
 */
public final class WorkspacePaths {
  /** Workspace scratch folder, re-created by a reset. */
  static final String TMP = ".tmp";
  /** Sandbox root file system, removed by reset-rootfs. */
  static final String ROOTFS = ".rootfs";
  /** {@code workspaces.path} is VARCHAR(500). */
  static final int PATH_MAX = 500;

  private final Path root;

  /** @param root the workspace root; made absolute against the working directory */
  public WorkspacePaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The root as configured (absolute), for messages. */
  public Path root() {
    return root;
  }

  /** Pipelit's refusal, naming the root. */
  StoreException outside() {
    return new StoreException(ErrorCode.BAD_REQUEST, "Workspace path must be under " + root + "/");
  }

  /** The real path of the root, created when missing. */
  Path realRoot() throws IOException {
    Files.createDirectories(root);
    return root.toRealPath();
  }

  /**
   * The folder of a new workspace: {@code requested} (absolute, or relative to the root) or, when null,
   * {@code <root>/<name>}. Checks only; creates nothing but the root.
   *
   * @throws StoreException BAD_REQUEST when the path is not strictly under the root
   */
  Path locate(String requested, String name) throws IOException {
    Path realRoot = realRoot();
    Path relative = relativeToRoot(requested == null ? name : requested, realRoot);
    Path parent = realRoot;
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      parent = step(parent.resolve(relative.getName(i)), realRoot);
    }
    Path target = parent.resolve(relative.getFileName());
    if (Files.isSymbolicLink(target)) {
      step(target, realRoot); // a link at the end must stay inside as well
    }
    if (target.toString().length() > PATH_MAX) {
      throw StoreException.validation("path: must be at most " + PATH_MAX + " characters once resolved");
    }
    return target;
  }

  /** Creates {@code folder} and {@code folder/.tmp} after checking it again; checks the result once more. */
  void create(Path folder) throws IOException {
    Path checked = locate(folder.toString(), null);
    Files.createDirectories(checked);
    Path tmp = checked.resolve(TMP);
    if (Files.isSymbolicLink(tmp)) {
      throw new StoreException(ErrorCode.BAD_REQUEST, "Workspace folder holds a symbolic link named " + TMP
          + "; remove it first.");
    }
    Files.createDirectories(tmp);
    requireInside(tmp.toRealPath(), realRoot()); // a link swapped in meanwhile would show here
  }

  /** Removes the workspace folder with everything in it (links removed, never followed), then re-creates it. */
  void reset(Path folder) throws IOException {
    Path checked = locate(folder.toString(), null);
    removeTree(checked);
    create(checked);
  }

  /** Removes {@code folder/.rootfs} (links removed, never followed). */
  void resetRootfs(Path folder) throws IOException {
    Path checked = locate(folder.toString(), null);
    if (Files.isSymbolicLink(checked)) {
      checked = checked.toRealPath(); // locate checked that it stays inside
    }
    removeTree(checked.resolve(ROOTFS));
  }

  /** {@code text} as a path relative to the root, refusing {@code ..}, other absolute paths and the root itself. */
  private Path relativeToRoot(String text, Path realRoot) {
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw outside();
    }
    for (Path segment : path) {
      if (segment.toString().equals("..")) {
        throw outside();
      }
    }
    Path relative;
    if (path.isAbsolute()) {
      Path normal = path.normalize();
      if (normal.startsWith(root)) {
        relative = root.relativize(normal);
      } else if (normal.startsWith(realRoot)) {
        relative = realRoot.relativize(normal);
      } else {
        throw outside();
      }
    } else {
      relative = path.normalize();
    }
    if (relative.toString().isEmpty()) {
      throw outside(); // the root itself is no workspace
    }
    return relative;
  }

  /** The real path of an existing {@code candidate} that must stay inside, or {@code candidate} when missing. */
  private Path step(Path candidate, Path realRoot) throws IOException {
    if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
      return candidate;
    }
    if (Files.isSymbolicLink(candidate) && !Files.exists(candidate)) {
      throw outside(); // a dangling link: where it would lead is not known
    }
    Path real = candidate.toRealPath();
    requireInside(real, realRoot);
    return real;
  }

  private void requireInside(Path real, Path realRoot) {
    if (!real.startsWith(realRoot) || real.equals(realRoot)) {
      throw outside();
    }
  }

  /** Deletes a file, a link or a folder tree; never follows a link. Missing is fine. */
  private static void removeTree(Path start) throws IOException {
    if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
