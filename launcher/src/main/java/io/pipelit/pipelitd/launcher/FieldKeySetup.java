package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start without {@code FIELD_ENCRYPTION_KEY}: a key is generated and appended to {@code .env} in
 * the working directory (created with mode 0600), as Pipelit does, and one log line says so, that the
 * file must be backed up, and where it is. The key itself is never logged or printed.
 */
final class FieldKeySetup {
  private FieldKeySetup() {}

  private static final Logger LOG = LoggerFactory.getLogger("pipelitd");

  /** Makes sure {@code config} carries a key, generating and saving one when it has none. */
  static void ensure(PipelitdConfig config) {
    Object present = config.json().getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    if (present != null && !present.toString().isBlank()) {
      return;
    }
    Path file = config.workingDir().resolve(ConfigLoader.DOTENV_FILE);
    long stored = storedSecrets(config.databaseUrl());
    if (stored > 0) {
      // Not a first start: a new key could read none of them. Refuse, and write nothing.
      throw new Failures.UserFacingException(ConfigKeys.FIELD_ENCRYPTION_KEY + " is not set, but "
          + config.databaseUrl().describe() + " already holds " + stored + " encrypted value(s). Set it to the key"
          + " they were written with (in " + file + " or the environment); no new key was generated.",
          ExitCodes.FAILURE, null);
    }
    String generated = FieldKeyring.generateKey();
    String key;
    try {
      key = append(file, generated);
    } catch (IOException e) {
      throw new Failures.UserFacingException(ConfigKeys.FIELD_ENCRYPTION_KEY + " is not set and a new key cannot be"
          + " saved to " + file + " (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
          + e.getMessage()) + "); set it yourself (`pipelitd keys generate` prints one)", ExitCodes.FAILURE, e);
    }
    config.json().put(ConfigKeys.FIELD_ENCRYPTION_KEY, key);
    if (!key.equals(generated)) {
      LOG.info("{} was written to {} by another process meanwhile; using it", ConfigKeys.FIELD_ENCRYPTION_KEY, file);
      return;
    }
    LOG.warn("{} was not set: generated a new key and appended it to {}. Back up that file: without the key the"
        + " stored secrets cannot be read.", ConfigKeys.FIELD_ENCRYPTION_KEY, file);
  }

  /**
   * How many non-empty values the database holds in its encrypted columns (0 for a database that does
   * not exist yet, lacks the tables, or cannot be reached: then start-up itself reports the problem).
   */
  private static long storedSecrets(DatabaseUrl url) {
    if (url.backend() == DatabaseUrl.Backend.SQLITE && !Files.exists(url.sqlitePath())) {
      return 0;
    }
    long count = 0;
    try (Connection c = url.backend() == DatabaseUrl.Backend.SQLITE
        ? DriverManager.getConnection(url.jdbcUrl())
        : DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
        try (Statement statement = c.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM " + column.table() + " WHERE "
                 + column.column() + " IS NOT NULL AND " + column.column() + " <> ''")) {
          rows.next();
          count += rows.getLong(1);
        } catch (SQLException missingTable) {
          // an older or empty schema: nothing stored there
        }
      }
    } catch (SQLException unreachable) {
      return 0;
    }
    return count;
  }

  /**
   * Appends {@code FIELD_ENCRYPTION_KEY=key} to {@code file}, creating it with mode 0600, under an
   * exclusive file lock; when another process has meanwhile written a key there (two first starts at
   * once: Pipelit's race, where each wrote its own key), that key is returned and nothing is appended.
   *
   * @return the key now in the file
   */
  static synchronized String append(Path file, String key) throws IOException { // file locks are per JVM
    boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (Files.exists(file) && posix) {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn("{} is readable by other users ({}); it holds {}: chmod 600 it",
            file, PosixFilePermissions.toString(permissions), ConfigKeys.FIELD_ENCRYPTION_KEY);
      }
    }
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try (FileChannel channel = posix
        ? FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : FileChannel.open(file, options);
         FileLock lock = channel.lock()) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), 16 * 1024 * 1024));
      while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
        // read the whole file
      }
      String existing = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      String present = DotEnv.parse(existing).values().get(ConfigKeys.FIELD_ENCRYPTION_KEY);
      if (present != null && !present.isBlank()) {
        return present.strip();
      }
      String text = (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n")
          + "# Generated by pipelitd at first start: encrypts stored secrets. Back it up; never change it\n"
          + "# without `pipelitd keys rotate` (see README, Secrets and FIELD_ENCRYPTION_KEY).\n"
          + ConfigKeys.FIELD_ENCRYPTION_KEY + "=" + key + "\n";
      ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      long position = channel.size();
      while (out.hasRemaining()) {
        position += channel.write(out, position);
      }
      channel.force(true);
      return key;
    }
  }
}
