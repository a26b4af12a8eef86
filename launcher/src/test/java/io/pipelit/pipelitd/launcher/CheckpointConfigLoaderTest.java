package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint store's configuration keys: defaults, validation, relative SQLite paths. */
class CheckpointConfigLoaderTest {

  @TempDir
  Path dir;

  private JsonObject merged(JsonObject overrides) {
    return ConfigLoader.defaults().copy().mergeIn(overrides);
  }

  @Test
  void defaultsAreBundledAndARelativeUrlBecomesAbsolute() {
    JsonObject defaults = ConfigLoader.defaults();
    assertEquals(ConfigKeys.DEFAULT_CHECKPOINTS_DATABASE_URL, defaults.getString(ConfigKeys.CHECKPOINTS_DATABASE_URL));
    assertEquals(ConfigKeys.DEFAULT_CHECKPOINTS_MAX_BYTES, defaults.getLong(ConfigKeys.CHECKPOINTS_MAX_BYTES));
    assertEquals(64L * 1024 * 1024, CheckpointConfig.from(defaults).maxBytes());
    assertEquals(0, CheckpointConfig.from(defaults).pruneScheduleSeconds());

    PipelitdConfig config = ConfigLoader.validate(merged(new JsonObject()), dir);
    Path expected = dir.toAbsolutePath().resolve("platform/checkpoints.db").normalize();
    assertEquals("sqlite:///" + expected, config.json().getString(ConfigKeys.CHECKPOINTS_DATABASE_URL));
  }

  @Test
  void invalidValuesNameTheirKeyAndNeverThePassword() {
    ConfigException url = assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.CHECKPOINTS_DATABASE_URL, "mysql://u:s3cret@h/db")), dir));
    assertEquals(ConfigKeys.CHECKPOINTS_DATABASE_URL, url.key());
    assertFalse(url.getMessage().contains("s3cret"), url.getMessage());

    ConfigException size = assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.CHECKPOINTS_MAX_BYTES, "12")), dir));
    assertEquals(ConfigKeys.CHECKPOINTS_MAX_BYTES, size.key());

    ConfigException schedule = assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, 60)), dir));
    assertEquals(ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, schedule.key());
    assertTrue(schedule.getMessage().contains(ConfigKeys.CHECKPOINTS_KEEP_LAST));

    CheckpointConfig scheduled = CheckpointConfig.from(new JsonObject()
        .put(ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, "3600").put(ConfigKeys.CHECKPOINTS_KEEP_LAST, "20"));
    assertEquals(3600, scheduled.pruneScheduleSeconds());
    assertEquals(20, scheduled.keepLast());
  }
}
