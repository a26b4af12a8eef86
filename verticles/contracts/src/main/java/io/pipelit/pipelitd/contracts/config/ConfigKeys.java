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
   * Execution recovery: a {@code running} execution whose start (or a {@code pending} one whose creation)
   * is older than this many seconds is marked {@code failed}, its engine presumed crashed. Pipelit's own
   * name and default (900 s); 0 means at once. Hot-reloaded from the settings events
   * ({@code pipelit.events.settings}, field {@code zombie_execution_threshold_seconds}).
   */
  public static final String ZOMBIE_EXECUTION_THRESHOLD_SECONDS = "ZOMBIE_EXECUTION_THRESHOLD_SECONDS";
  public static final long DEFAULT_ZOMBIE_EXECUTION_THRESHOLD_SECONDS = 900;

  /** Seconds between two recovery sweeps (one also runs at start); 0 = only at start. Default 60 s. */
  public static final String EXECUTION_RECOVERY_INTERVAL_SECONDS = "PIPELITD_EXECUTION_RECOVERY_INTERVAL_SECONDS";
  public static final long DEFAULT_EXECUTION_RECOVERY_INTERVAL_SECONDS = 60;

  /**
   * Retention: finished executions (completed, failed, cancelled) older than this many days are pruned
   * with their logs; 0 = no age rule (default: retention is off, nothing is deleted unless asked).
   */
  public static final String RETENTION_MAX_AGE_DAYS = "PIPELITD_RETENTION_MAX_AGE_DAYS";
  public static final long DEFAULT_RETENTION_MAX_AGE_DAYS = 0;

  /** Retention: finished executions kept per workflow, newest first; 0 = no count rule (default). */
  public static final String RETENTION_KEEP_PER_WORKFLOW = "PIPELITD_RETENTION_KEEP_PER_WORKFLOW";
  public static final long DEFAULT_RETENTION_KEEP_PER_WORKFLOW = 0;

  /**
   * Seconds between two scheduled prunes with the rules above (default 3600); 0 = never. A scheduled
   * prune with no rule set does nothing.
   */
  public static final String RETENTION_SCHEDULE_SECONDS = "PIPELITD_RETENTION_SCHEDULE_SECONDS";
  public static final long DEFAULT_RETENTION_SCHEDULE_SECONDS = 3600;

  /** Rows a prune deletes per write (default 500), so that other writes never wait long behind it. */
  public static final String RETENTION_BATCH_SIZE = "PIPELITD_RETENTION_BATCH_SIZE";
  public static final long DEFAULT_RETENTION_BATCH_SIZE = 500;

  /**
   * TCP port of the event-bus bridge for outside clients (length-prefixed JSON frames, the wire format of
   * vertx-tcp-eventbus-bridge); unset or -1 (default): no bridge. 0 picks a free port (tests).
   */
  public static final String BRIDGE_PORT = "PIPELITD_BRIDGE_PORT";
  public static final int DEFAULT_BRIDGE_PORT = -1;
  /** Bind address of the bridge; loopback by default (every frame still needs an API key). */
  public static final String BRIDGE_HOST = "PIPELITD_BRIDGE_HOST";
  public static final String DEFAULT_BRIDGE_HOST = "127.0.0.1";
  /** PEM certificate chain for TLS on the bridge; with {@link #BRIDGE_TLS_KEY}. Unset: plain TCP. */
  public static final String BRIDGE_TLS_CERT = "PIPELITD_BRIDGE_TLS_CERT";
  /** PEM private key (PKCS#8) for TLS on the bridge. */
  public static final String BRIDGE_TLS_KEY = "PIPELITD_BRIDGE_TLS_KEY";
  /**
   * Largest bridge frame accepted, in bytes (the 4-byte length prefix not counted); a larger announced
   * length gets an error frame and the connection is closed before the frame is read. Default 16 MiB.
   */
  public static final String BRIDGE_MAX_FRAME_BYTES = "PIPELITD_BRIDGE_MAX_FRAME_BYTES";
  public static final long DEFAULT_BRIDGE_MAX_FRAME_BYTES = 16L * 1024 * 1024;
  /** Refused frames (bad key, forbidden address, malformed frame) a connection may send before it is closed. */
  public static final String BRIDGE_MAX_REFUSALS = "PIPELITD_BRIDGE_MAX_REFUSALS";
  public static final int DEFAULT_BRIDGE_MAX_REFUSALS = 5;
  /** Requests one bridge connection may have in flight; beyond it the bridge stops reading that socket. */
  public static final String BRIDGE_MAX_IN_FLIGHT = "PIPELITD_BRIDGE_MAX_IN_FLIGHT";
  public static final int DEFAULT_BRIDGE_MAX_IN_FLIGHT = 256;
  /**
   * Cluster mode ({@code run --cluster}, PostgreSQL only): the Hazelcast configuration file, relative to
   * the working directory unless absolute; missing means the bundled one (TCP/IP join on loopback,
   * multicast off, cluster name {@code pipelitd}).
   */
  public static final String CLUSTER_CONFIG = "PIPELITD_CLUSTER_CONFIG";
  public static final String DEFAULT_CLUSTER_CONFIG = "conf/cluster.xml";
  /**
   * Cluster mode: the address this node binds and announces for Hazelcast and the clustered event bus.
   * Loopback by default (all nodes on one machine); a LAN address for nodes on several machines.
   */
  public static final String CLUSTER_HOST = "PIPELITD_CLUSTER_HOST";
  public static final String DEFAULT_CLUSTER_HOST = "127.0.0.1";
  /** Cluster mode: Hazelcast's first port; the next free one is taken when it is in use. */
  public static final String CLUSTER_PORT = "PIPELITD_CLUSTER_PORT";
  public static final int DEFAULT_CLUSTER_PORT = 5701;
  /**
   * Cluster mode: the other members to join, comma-separated {@code host} or {@code host:port}; replaces
   * the member list of the Hazelcast file. Empty (default): the file's list.
   */
  public static final String CLUSTER_MEMBERS = "PIPELITD_CLUSTER_MEMBERS";

  /**
   * When the backup scheduler takes a backup: a standard five-field cron expression (minute hour
   * day-of-month month day-of-week; ranges, steps, lists, month and day names), in {@link #BACKUP_TIMEZONE}.
   * Default every night at 02:00. {@code off} turns scheduled backups off (on-demand ones still work).
   */
  public static final String BACKUP_SCHEDULE = "BACKUP_SCHEDULE";
  public static final String DEFAULT_BACKUP_SCHEDULE = "0 2 * * *";

  /** Time zone of {@link #BACKUP_SCHEDULE} (an IANA name such as {@code Europe/Berlin}); default UTC. */
  public static final String BACKUP_TIMEZONE = "BACKUP_TIMEZONE";
  public static final String DEFAULT_BACKUP_TIMEZONE = "UTC";

  /** Folder of the backups (one sub-folder per backup), relative to the working directory unless absolute. */
  public static final String BACKUP_DIR = "BACKUP_DIR";
  public static final String DEFAULT_BACKUP_DIR = "backups/";

  /** Retention: verified scheduled and on-demand backups kept (newest first); 0 = no count rule. */
  public static final String BACKUP_KEEP_LAST = "BACKUP_KEEP_LAST";
  public static final long DEFAULT_BACKUP_KEEP_LAST = 7;

  /** Retention: backups older than this many days are deleted; 0 (default) = no age rule. */
  public static final String BACKUP_MAX_AGE_DAYS = "BACKUP_MAX_AGE_DAYS";
  public static final long DEFAULT_BACKUP_MAX_AGE_DAYS = 0;

  /** Compress SQLite backup files with gzip ({@code true}, default); pg_dump's custom format is compressed anyway. */
  public static final String BACKUP_COMPRESS = "BACKUP_COMPRESS";
  public static final boolean DEFAULT_BACKUP_COMPRESS = true;

  /**
   * Seconds a successful bearer-key look-up is reused without reading the database (0 turns the cache
   * off; at most 3600). Revoking a key, deactivating a user, changing a role or password, and a login
   * that rotates the session key take effect at once in this process whatever this is; changes made
   * by another process (direct SQL, another cluster node) within this many seconds. Failed look-ups
   * are never cached.
   */
  public static final String AUTH_CACHE_SECONDS = "PIPELITD_AUTH_CACHE_SECONDS";
  public static final long DEFAULT_AUTH_CACHE_SECONDS = 5;

  /**
   * Format of PostgreSQL backups: {@code auto} (default: pg_dump when a pg_dump at least as new as the
   * server is installed, else the built-in portable archive), {@code pg_dump} (fail when it is not
   * usable), or {@code portable} (no external tool; restorable into SQLite too).
   */
  public static final String BACKUP_PG_FORMAT = "BACKUP_PG_FORMAT";
  public static final String DEFAULT_BACKUP_PG_FORMAT = "auto";

  /**
   * pipelitd's version, put by the launcher into every verticle's deployment configuration (for
   * {@code /health}, backup manifests, the snapshot taken before migrations). Not an operator setting:
   * not in {@link #ALL}, never read from files or the environment.
   */
  public static final String VERSION = "pipelitd.version";

  /** Every key above: the environment and .env stores read only these. */
  public static final List<String> ALL = List.of(
      DATABASE_URL, HTTP_HOST, HTTP_PORT, HTTP_MAX_BODY_BYTES, HTTP_DRAIN_TIMEOUT_MS, STOP_TIMEOUT_MS, METRICS_PORT, METRICS_HOST, LOG_FORMAT, WRITE_QUEUE_CAPACITY, WRITE_BATCH_SIZE,
      READ_POOL_SIZE, SQLITE_SYNCHRONOUS, SQLITE_BUSY_TIMEOUT_MS, PG_POOL_SIZE, PG_STATEMENT_TIMEOUT_MS,
      PG_CONNECT_TIMEOUT_MS, PG_MAX_RETRIES, MIGRATE_ON_START,
      CHECKPOINTS_DATABASE_URL, CHECKPOINTS_MAX_BYTES, CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, CHECKPOINTS_KEEP_LAST,
      CHECKPOINTS_MAX_AGE_SECONDS, FIELD_ENCRYPTION_KEY, PLUGINS_DIR, DEPLOY, AUDIT_LOG_FILE,
      PIPELIT_DIR,
      ZOMBIE_EXECUTION_THRESHOLD_SECONDS, EXECUTION_RECOVERY_INTERVAL_SECONDS, RETENTION_MAX_AGE_DAYS,
      RETENTION_KEEP_PER_WORKFLOW, RETENTION_SCHEDULE_SECONDS, RETENTION_BATCH_SIZE,
      BRIDGE_PORT, BRIDGE_HOST, BRIDGE_TLS_CERT, BRIDGE_TLS_KEY, BRIDGE_MAX_FRAME_BYTES, BRIDGE_MAX_REFUSALS,
      BRIDGE_MAX_IN_FLIGHT, CLUSTER_CONFIG, CLUSTER_HOST, CLUSTER_PORT, CLUSTER_MEMBERS,
      BACKUP_SCHEDULE, BACKUP_TIMEZONE, BACKUP_DIR, BACKUP_KEEP_LAST, BACKUP_MAX_AGE_DAYS, BACKUP_COMPRESS,
      AUTH_CACHE_SECONDS, BACKUP_PG_FORMAT);
}
