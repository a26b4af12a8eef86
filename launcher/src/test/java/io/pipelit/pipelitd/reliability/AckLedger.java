package io.pipelit.pipelitd.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The acknowledged writes of a reliability run: one id per line, appended and flushed as soon as the
 * daemon acknowledged the write, so that the ledger survives the client's own end and spans several
 * client runs (one per crash round).
 */
public final class AckLedger implements AutoCloseable {
  private final Writer out;

  public AckLedger(Path file) throws IOException {
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Records an acknowledged write's id. */
  public synchronized void acknowledged(long id) {
    try {
      out.write(Long.toString(id));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every id recorded in {@code file} (empty when there is no file). */
  public static Set<Long> read(Path file) throws IOException {
    Set<Long> ids = new HashSet<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          ids.add(Long.parseLong(line.strip()));
        }
      }
    }
    return ids;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }
}
