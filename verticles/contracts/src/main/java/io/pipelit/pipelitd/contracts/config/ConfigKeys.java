package io.pipelit.pipelitd.contracts.config;

import java.util.List;

/**
 * Every configuration key pipelitd reads, in one place. The same names are used in
 * {@code conf/pipelitd.json}, in {@code .env}, in the environment and (lower-cased, with dashes) as
 * command-line flags. Defaults live in the launcher's bundled {@code pipelitd-defaults.json} and are
 * repeated here as constants for code that reads a key without a launcher (tests, tools).
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** {@code sqlite:///relative/path}, {@code sqlite:////absolute/path} or {@code postgresql://...}. */
  public static final String DATABASE_URL = "DATABASE_URL";
  public static final String DEFAULT_DATABASE_URL = "sqlite:///platform/db.sqlite3";

  /** Address the HTTP API binds to. Loopback by default: put a TLS proxy in front for remote use. */
  public static final String HTTP_HOST = "PIPELITD_HTTP_HOST";
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";

  /** HTTP port; 0 picks a free port (tests). */
  public static final String HTTP_PORT = "PIPELITD_HTTP_PORT";
  public static final int DEFAULT_HTTP_PORT = 8000;

  /** Largest accepted request body in bytes; larger bodies get 413. Default 10 MiB. */
  public static final String HTTP_MAX_BODY_BYTES = "PIPELITD_HTTP_MAX_BODY_BYTES";
  public static final long DEFAULT_HTTP_MAX_BODY_BYTES = 10L * 1024 * 1024;

  /**
   * On stop, how long requests in flight may take to get their answers (new ones get 503) before the
   * HTTP connections are closed, in milliseconds.
   */
  public static final String HTTP_DRAIN_TIMEOUT_MS = "PIPELITD_HTTP_DRAIN_TIMEOUT_MS";
  public static final long DEFAULT_HTTP_DRAIN_TIMEOUT_MS = 10_000;

  /**
   * A second, unauthenticated listener serving only {@code GET /metrics} (Prometheus text), for a
   * scraper on a protected network; unset or -1: none, and {@code /metrics} on the API needs an admin key.
   */
  public static final String METRICS_PORT = "PIPELITD_METRICS_PORT";
  public static final int DEFAULT_METRICS_PORT = -1;

  /** Bind address of the metrics listener (loopback by default). */
  public static final String METRICS_HOST = "PIPELITD_METRICS_HOST";
  public static final String DEFAULT_METRICS_HOST = "127.0.0.1";

  /**
   * Log line format: {@code text} (default) or {@code json} (one object per line, for journald and log
   * shippers). Read by the logging setup from the process environment, before any configuration file.
   */
  public static final String LOG_FORMAT = "PIPELITD_LOG_FORMAT";
  public static final String DEFAULT_LOG_FORMAT = "text";

  /**
   * On SIGTERM, the bound of the whole stop (plugins, HTTP drain, store, Vert.x), in milliseconds; keep
   * systemd's TimeoutStopSec above it. Default 30 s.
   */
  public static final String STOP_TIMEOUT_MS = "PIPELITD_STOP_TIMEOUT_MS";
  public static final long DEFAULT_STOP_TIMEOUT_MS = 30_000;

  /** Writes that may wait for the SQLite writer; one more is refused with OVERLOADED (HTTP 503). */
  public static final String WRITE_QUEUE_CAPACITY = "PIPELITD_WRITE_QUEUE_CAPACITY";
  public static final int DEFAULT_WRITE_QUEUE_CAPACITY = 10_000;

  /** Most queued writes the SQLite writer groups into one transaction (group commit). */
  public static final String WRITE_BATCH_SIZE = "PIPELITD_WRITE_BATCH_SIZE";
  public static final int DEFAULT_WRITE_BATCH_SIZE = 256;

  /** Read-only SQLite connections (and the threads that use them). */
  public static final String READ_POOL_SIZE = "PIPELITD_READ_POOL_SIZE";
  public static final int DEFAULT_READ_POOL_SIZE = 4;

  /**
   * SQLite {@code PRAGMA synchronous}: {@code FULL} (default; an acknowledged write survives power
   * loss), {@code NORMAL} (survives a process crash, may lose the last commits on power loss) or
   * {@code OFF} (tests and benchmarks only).
   */
  public static final String SQLITE_SYNCHRONOUS = "PIPELITD_SQLITE_SYNCHRONOUS";
  public static final String DEFAULT_SQLITE_SYNCHRONOUS = "FULL";

  /** How long a SQLite connection waits for a lock held by another process, in milliseconds. */
  public static final String SQLITE_BUSY_TIMEOUT_MS = "PIPELITD_SQLITE_BUSY_TIMEOUT_MS";
  public static final int DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

  /**
   * PostgreSQL connections kept by the daemon, and worker threads using them (1 to 256). Each request
   * holds one connection while it runs; keep the sum over all pipelitd nodes below the server's
   * {@code max_connections}.
   */
  public static final String PG_POOL_SIZE = "PIPELITD_PG_POOL_SIZE";
  public static final int DEFAULT_PG_POOL_SIZE = 8;

  /**
   * PostgreSQL {@code statement_timeout} of the daemon's connections, in milliseconds: a statement
   * running longer is cancelled and its request fails. 0 means no limit (the server's own setting).
   * Migrations are not subject to it.
   */
  public static final String PG_STATEMENT_TIMEOUT_MS = "PIPELITD_PG_STATEMENT_TIMEOUT_MS";
  public static final int DEFAULT_PG_STATEMENT_TIMEOUT_MS = 30_000;

  /**
   * How long opening a PostgreSQL connection may take, in milliseconds (rounded up to whole seconds,
   * the driver's unit). A {@code connect_timeout} option in {@code DATABASE_URL} takes precedence.
   */
  public static final String PG_CONNECT_TIMEOUT_MS = "PIPELITD_PG_CONNECT_TIMEOUT_MS";
  public static final int DEFAULT_PG_CONNECT_TIMEOUT_MS = 10_000;

  /**
   * How many times a PostgreSQL request is run again after a serialization failure or a deadlock
   * (SQLSTATE 40001, 40P01) before it fails with UNAVAILABLE; 0 turns retries off.
   */
  public static final String PG_MAX_RETRIES = "PIPELITD_PG_MAX_RETRIES";
  public static final int DEFAULT_PG_MAX_RETRIES = 5;

  /** Apply pending migrations at start ({@code true}); {@code run --no-migrate} sets it to false. */
  public static final String MIGRATE_ON_START = "PIPELITD_MIGRATE_ON_START";
  public static final boolean DEFAULT_MIGRATE_ON_START = true;

  /**
   * Database of the checkpoint store (LangGraph conversation memory), separate from the main one:
   * {@code sqlite:///relative/path}, {@code sqlite:////absolute/path} or {@code postgresql://...}. A SQLite
   * file is created on the first checkpoint written, not at start.
   */
  public static final String CHECKPOINTS_DATABASE_URL = "CHECKPOINTS_DATABASE_URL";
  public static final String DEFAULT_CHECKPOINTS_DATABASE_URL = "sqlite:///platform/checkpoints.db";

  /**
   * Largest checkpoint accepted, in bytes (the decoded checkpoint plus its metadata, or the decoded
   * values of one put_writes call); larger ones get 413. Default 64 MiB. The HTTP checkpoint routes
   * accept bodies up to its base64 size plus 1 MiB, or {@link #HTTP_MAX_BODY_BYTES} when that is larger.
   */
  public static final String CHECKPOINTS_MAX_BYTES = "CHECKPOINTS_MAX_BYTES";
  public static final long DEFAULT_CHECKPOINTS_MAX_BYTES = 64L * 1024 * 1024;

  /**
   * Seconds between two scheduled prunes of the checkpoint store; 0 (default) turns the schedule off.
   * A scheduled prune applies {@link #CHECKPOINTS_KEEP_LAST} and {@link #CHECKPOINTS_MAX_AGE_SECONDS}.
   */
  public static final String CHECKPOINTS_PRUNE_SCHEDULE_SECONDS = "CHECKPOINTS_PRUNE_SCHEDULE_SECONDS";
  public static final long DEFAULT_CHECKPOINTS_PRUNE_SCHEDULE_SECONDS = 0;

  /** Scheduled prune: checkpoints kept per thread and namespace (newest first); 0 = no count rule. */
  public static final String CHECKPOINTS_KEEP_LAST = "CHECKPOINTS_KEEP_LAST";
  public static final long DEFAULT_CHECKPOINTS_KEEP_LAST = 0;

  /** Scheduled prune: checkpoints older than this many seconds may go; 0 = no age rule. */
  public static final String CHECKPOINTS_MAX_AGE_SECONDS = "CHECKPOINTS_MAX_AGE_SECONDS";
  public static final long DEFAULT_CHECKPOINTS_MAX_AGE_SECONDS = 0;

  /**
   * Fernet keys for secrets at rest (credentials, TOTP secrets), comma-separated: the first encrypts,
   * all decrypt. No default on purpose (not in the bundled defaults): the launcher generates one into
   * {@code .env} at first start. Never logged.
   */
  public static final String FIELD_ENCRYPTION_KEY = "FIELD_ENCRYPTION_KEY";

  /**
   * Folder of plugin jars ({@code *.jar}), relative to the working directory unless absolute; a missing
   * folder means no plugins beyond those on the classpath.
   */
  public static final String PLUGINS_DIR = "PIPELITD_PLUGINS_DIR";
  public static final String DEFAULT_PLUGINS_DIR = "plugins";

  /**
   * Plugin verticles to deploy after the core ones: a JSON array in {@code conf/pipelitd.json}, or a
   * comma-separated string in {@code .env} and the environment; each entry {@code name} or
   * {@code name:instances} (e.g. {@code ["audit-log"]}). Default: none. An unknown name stops the start
   * (exit code 2) with the list of known names.
   */
  public static final String DEPLOY = "PIPELITD_DEPLOY";

  /**
   * The audit-log plugin's file: one JSON line per change event, appended; relative to the working
   * directory unless absolute; created with mode 0600.
   */
  public static final String AUDIT_LOG_FILE = "PIPELITD_AUDIT_LOG_FILE";
  public static final String DEFAULT_AUDIT_LOG_FILE = "audit/audit.log";

  /**
   * Pipelit's data folder ({@code $PIPELIT_DIR}): workspaces live under {@code <PIPELIT_DIR>/workspaces}
   * and no workspace path may leave that root. Relative to the working directory unless absolute;
   * default {@code platform}, the folder of the default SQLite database.
   */
  public static final String PIPELIT_DIR = "PIPELIT_DIR";
  public static final String DEFAULT_PIPELIT_DIR = "platform";

  /**
   * Seconds a successful bearer-key look-up is reused without reading the database (0 turns the cache
   * off; at most 3600). Revoking a key, deactivating a user, changing a role or password, and a login
   * that rotates the session key take effect at once in this process whatever this is; changes made
   * by another process (direct SQL, another cluster node) within this many seconds. Failed look-ups
   * are never cached.
   */
  public static final String AUTH_CACHE_SECONDS = "PIPELITD_AUTH_CACHE_SECONDS";
  public static final long DEFAULT_AUTH_CACHE_SECONDS = 5;

  /** Every key above: the environment and .env stores read only these. */
  public static final List<String> ALL = List.of(
      DATABASE_URL, HTTP_HOST, HTTP_PORT, HTTP_MAX_BODY_BYTES, HTTP_DRAIN_TIMEOUT_MS, STOP_TIMEOUT_MS, METRICS_PORT, METRICS_HOST, LOG_FORMAT, WRITE_QUEUE_CAPACITY, WRITE_BATCH_SIZE,
      READ_POOL_SIZE, SQLITE_SYNCHRONOUS, SQLITE_BUSY_TIMEOUT_MS, PG_POOL_SIZE, PG_STATEMENT_TIMEOUT_MS,
      PG_CONNECT_TIMEOUT_MS, PG_MAX_RETRIES, MIGRATE_ON_START,
      CHECKPOINTS_DATABASE_URL, CHECKPOINTS_MAX_BYTES, CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, CHECKPOINTS_KEEP_LAST,
      CHECKPOINTS_MAX_AGE_SECONDS, FIELD_ENCRYPTION_KEY, PLUGINS_DIR, DEPLOY, AUDIT_LOG_FILE,
      PIPELIT_DIR,
      AUTH_CACHE_SECONDS);
}
