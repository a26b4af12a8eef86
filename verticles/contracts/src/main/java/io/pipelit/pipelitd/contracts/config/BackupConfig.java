package io.pipelit.pipelitd.contracts.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * Settings of the backup scheduler (see the {@code BACKUP_*} keys in {@link ConfigKeys}).
 *
 * @param schedule   the five-field cron expression, or {@code off}; parsed by the backup module
 * @param zone       the time zone the schedule is read in
 * @param dir        the backup folder (absolute once the launcher has resolved it)
 * @param keepLast   verified backups kept; 0 = no count rule
 * @param maxAgeDays backups older than this many days go; 0 = no age rule
 * @param compress   gzip SQLite backup files
 * @param pgFormat   {@code auto}, {@code pg_dump} or {@code portable} ({@link ConfigKeys#BACKUP_PG_FORMAT})
 */
public record BackupConfig(String schedule, ZoneId zone, Path dir, long keepLast, long maxAgeDays,
    boolean compress, String pgFormat) {

  /** The values of {@link ConfigKeys#BACKUP_PG_FORMAT}. */
  public static final java.util.List<String> PG_FORMATS = java.util.List.of("auto", "pg_dump", "portable");

  /** The schedule value that turns scheduled backups off. */
  public static final String OFF = "off";

  /** Reads and validates the backup settings; a bad value throws {@link ConfigException}. */
  public static BackupConfig from(JsonObject config) {
    String zoneName = ConfigValues.string(config, ConfigKeys.BACKUP_TIMEZONE, ConfigKeys.DEFAULT_BACKUP_TIMEZONE);
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneName);
    } catch (DateTimeException e) {
      throw new ConfigException(ConfigKeys.BACKUP_TIMEZONE, "is not a time zone ('" + zoneName
          + "'; use an IANA name such as UTC or Europe/Berlin)");
    }
    String dir = ConfigValues.string(config, ConfigKeys.BACKUP_DIR, ConfigKeys.DEFAULT_BACKUP_DIR);
    Path path;
    try {
      path = Path.of(dir);
    } catch (RuntimeException e) {
      throw new ConfigException(ConfigKeys.BACKUP_DIR, "is not a usable path");
    }
    String pgFormat = ConfigValues.string(config, ConfigKeys.BACKUP_PG_FORMAT, ConfigKeys.DEFAULT_BACKUP_PG_FORMAT)
        .trim().toLowerCase(java.util.Locale.ROOT);
    if (!PG_FORMATS.contains(pgFormat)) {
      throw new ConfigException(ConfigKeys.BACKUP_PG_FORMAT, "must be one of " + String.join(", ", PG_FORMATS)
          + " ('" + pgFormat + "')");
    }
    return new BackupConfig(
        ConfigValues.string(config, ConfigKeys.BACKUP_SCHEDULE, ConfigKeys.DEFAULT_BACKUP_SCHEDULE),
        zone,
        path,
        ConfigValues.integer(config, ConfigKeys.BACKUP_KEEP_LAST, ConfigKeys.DEFAULT_BACKUP_KEEP_LAST, 0, 100_000),
        ConfigValues.integer(config, ConfigKeys.BACKUP_MAX_AGE_DAYS, ConfigKeys.DEFAULT_BACKUP_MAX_AGE_DAYS,
            0, 100L * 365),
        ConfigValues.bool(config, ConfigKeys.BACKUP_COMPRESS, ConfigKeys.DEFAULT_BACKUP_COMPRESS),
        pgFormat);
  }

  /** True when scheduled backups are on. */
  public boolean scheduled() {
    return !OFF.equalsIgnoreCase(schedule);
  }
}
