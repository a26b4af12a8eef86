package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SqliteOptionsTest {

  private static final Path FILE = Path.of("/tmp/db.sqlite3");

  @Test
  void fromDatabaseConfig() {
    DatabaseConfig cfg = DatabaseConfig.from(new JsonObject()
        .put(ConfigKeys.WRITE_QUEUE_CAPACITY, 50)
        .put(ConfigKeys.WRITE_BATCH_SIZE, 7)
        .put(ConfigKeys.READ_POOL_SIZE, 3)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "normal")
        .put(ConfigKeys.SQLITE_BUSY_TIMEOUT_MS, 250));
    assertEquals(new SqliteOptions(FILE, 50, 7, 3, "NORMAL", 250), SqliteOptions.from(FILE, cfg));
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertEquals(new SqliteOptions(FILE, 10_000, 256, 4, "FULL", 5_000), SqliteOptions.defaults(FILE));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new SqliteOptions(FILE, 0, 1, 1, "FULL", 0));
    assertThrows(IllegalArgumentException.class, () -> new SqliteOptions(FILE, 1, 0, 1, "FULL", 0));
    assertThrows(IllegalArgumentException.class, () -> new SqliteOptions(FILE, 1, 1, 0, "FULL", 0));
    assertThrows(IllegalArgumentException.class, () -> new SqliteOptions(FILE, 1, 1, 1, "FULL", -1));
    assertThrows(IllegalArgumentException.class, () -> new SqliteOptions(FILE, 1, 1, 1, "SOMETIMES", 0));
    assertThrows(NullPointerException.class, () -> new SqliteOptions(null, 1, 1, 1, "FULL", 0));
  }
}
