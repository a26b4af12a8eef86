package io.pipelit.pipelitd.launcher;

import java.nio.file.Path;

/**
 * A configuration file that cannot be used: a missing {@code --conf} file, unreadable or malformed JSON,
 * an unusable {@code .env} line for a pipelitd key. The message names the file; the CLI prints it and
 * exits with {@link ExitCodes#USAGE}.
 */
public final class ConfigFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public ConfigFileException(Path file, String problem) {
    super("configuration file " + file + ": " + problem, null, false, false);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
