package io.pipelit.pipelitd.persistence.impl;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the settings' {@code environment} object reports about the runtime: facts measured now, not
 * guesses. File-system probes: call from a worker thread, never from an event loop.
 */
final class EnvironmentCheck {
  private EnvironmentCheck() {}

  /**
   * @param pipelitDir the data folder ({@code PIPELIT_DIR})
   * @param workspaceRoot the workspace root under it
   * @param backend "sqlite" or "postgresql"
   * @param database the database described without secrets
   */
  static JsonObject detect(Path pipelitDir, Path workspaceRoot, String backend, String database) {
    Runtime runtime = Runtime.getRuntime();
    return new JsonObject()
        .put("os", System.getProperty("os.name"))
        .put("os_version", System.getProperty("os.version"))
        .put("arch", System.getProperty("os.arch"))
        .put("java_version", System.getProperty("java.version"))
        .put("java_vendor", System.getProperty("java.vendor"))
        .put("cpu_count", runtime.availableProcessors())
        .put("max_memory_bytes", runtime.maxMemory())
        .put("database_backend", backend)
        .put("database", database)
        .put("pipelit_dir", pipelitDir.toString())
        .put("pipelit_dir_exists", Files.isDirectory(pipelitDir))
        .put("pipelit_dir_writable", writable(pipelitDir))
        .put("workspace_root", workspaceRoot.toString())
        .put("workspace_root_writable", writable(workspaceRoot))
        .put("disk_free_bytes", freeBytes(pipelitDir))
        .put("container", Files.exists(Path.of("/.dockerenv")) || Files.exists(Path.of("/run/.containerenv")))
        .put("bwrap_available", onPath("bwrap"))
        .put("checked_at", Rows.iso(java.time.Instant.now()));
  }

  /** True when a file can really be created (and is removed again) in {@code dir}; false when it is missing. */
  private static boolean writable(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try {
      Path probe = Files.createTempFile(dir, ".pipelitd-probe-", ".tmp");
      Files.delete(probe);
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Usable bytes on the file system holding {@code dir} (or its nearest existing parent); null if unknown. */
  private static Long freeBytes(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? null : Files.getFileStore(existing).getUsableSpace();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
      try {
        if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, program))) {
          return true;
        }
      } catch (java.nio.file.InvalidPathException e) {
        // a PATH entry that is no valid path holds no program
      }
    }
    return false;
  }
}
