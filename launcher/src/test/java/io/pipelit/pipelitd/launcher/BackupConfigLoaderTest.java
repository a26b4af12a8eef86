package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.BackupConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BACKUP_* keys: defaults, the folder made absolute, validation naming the key. */
class BackupConfigLoaderTest {
  @TempDir
  Path dir;

  private JsonObject merged(JsonObject overrides) {
    return ConfigLoader.defaults().copy().mergeIn(overrides);
  }

  @Test
  void defaultsAndAnAbsoluteFolder() {
    PipelitdConfig config = ConfigLoader.validate(merged(new JsonObject()), dir);
    BackupConfig backups = BackupConfig.from(config.json());
    assertEquals("0 2 * * *", backups.schedule());
    assertEquals(ZoneId.of("UTC"), backups.zone());
    assertEquals(dir.toAbsolutePath().resolve("backups").normalize(), backups.dir());
    assertEquals(7, backups.keepLast());
    assertEquals(0, backups.maxAgeDays());
    assertTrue(backups.compress());
    assertTrue(ConfigKeys.ALL.containsAll(java.util.List.of(ConfigKeys.BACKUP_SCHEDULE, ConfigKeys.BACKUP_TIMEZONE,
        ConfigKeys.BACKUP_DIR, ConfigKeys.BACKUP_KEEP_LAST, ConfigKeys.BACKUP_MAX_AGE_DAYS, ConfigKeys.BACKUP_COMPRESS)));
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertEquals(ConfigKeys.BACKUP_SCHEDULE, assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.BACKUP_SCHEDULE, "0 25 * * *")), dir)).key());
    assertEquals(ConfigKeys.BACKUP_TIMEZONE, assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.BACKUP_TIMEZONE, "Mars/Olympus")), dir)).key());
    assertEquals(ConfigKeys.BACKUP_KEEP_LAST, assertThrows(ConfigException.class, () -> ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.BACKUP_KEEP_LAST, "-1")), dir)).key());
    BackupConfig off = BackupConfig.from(ConfigLoader.validate(
        merged(new JsonObject().put(ConfigKeys.BACKUP_SCHEDULE, "off")), dir).json());
    assertEquals(false, off.scheduled());
  }
}
