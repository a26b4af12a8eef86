package io.pipelit.pipelitd.persistence;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.BackupConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.impl.AuthCache;
import io.pipelit.pipelitd.persistence.impl.AuthStore;
import io.pipelit.pipelitd.persistence.impl.CredentialStore;
import io.pipelit.pipelitd.persistence.impl.FieldSecrets;
import io.pipelit.pipelitd.persistence.impl.KeyCheck;
import io.pipelit.pipelitd.persistence.impl.KeyRotationStore;
import io.pipelit.pipelitd.persistence.impl.MemoryEpisodeStore;
import io.pipelit.pipelitd.persistence.impl.MemoryFactStore;
import io.pipelit.pipelitd.persistence.impl.MemoryProcedureStore;
import io.pipelit.pipelitd.persistence.impl.MemoryUserStore;
import io.pipelit.pipelitd.persistence.impl.MfaLimiter;
import io.pipelit.pipelitd.persistence.impl.MfaStore;
import io.pipelit.pipelitd.persistence.impl.UserStore;
import io.pipelit.pipelitd.persistence.impl.EdgeStore;
import io.pipelit.pipelitd.persistence.impl.ExecutionStore;
import io.pipelit.pipelitd.persistence.impl.NodeStore;
import io.pipelit.pipelitd.persistence.impl.StoreEvents;
import io.pipelit.pipelitd.persistence.impl.TransferStore;
import io.pipelit.pipelitd.persistence.impl.WorkflowStore;
import io.pipelit.pipelitd.persistence.impl.SettingsStore;
import io.pipelit.pipelitd.persistence.impl.WorkspacePaths;
import io.pipelit.pipelitd.persistence.impl.WorkspaceStore;
import io.pipelit.pipelitd.persistence.impl.ConversationStore;
import io.pipelit.pipelitd.persistence.impl.PendingTaskStore;
import io.pipelit.pipelitd.persistence.impl.ScheduleStore;
import io.pipelit.pipelitd.persistence.impl.RetentionJobs;
import io.pipelit.pipelitd.contracts.config.RetentionConfig;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.PostgresDatabase;
import io.pipelit.pipelitd.storage.SqliteDatabase;
import io.pipelit.pipelitd.storage.SqliteOptions;
import io.pipelit.pipelitd.storage.StoreReplies;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.pipelit.pipelitd.storage.backup.PreMigrationSnapshot;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the main database and serves the {@code pipelit.store.*} addresses (see {@link StoreAddresses}
 * for the request contract). Start: parse the configuration, apply pending migrations (or refuse to
 * serve when they are pending and migration on start is off), open the database, register consumers.
 * Stop: unregister, let queued writes commit, close the database.
 */
public class PersistenceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PersistenceVerticle.class);

  private Database db;
  /** Seals and opens secret columns with FIELD_ENCRYPTION_KEY; hand it to every store that has secrets. */
  private FieldSecrets secrets;
  /** The schema version after start-up (Flyway's), reported by /ready. */
  private volatile String schemaVersion;
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  /**
   * Deployment-config key: false turns off the background jobs (execution recovery, scheduled prune),
   * for the short-lived store of a CLI command. Default true.
   */
  public static final String BACKGROUND_JOBS = "pipelitd.background-jobs";
  private RetentionConfig retentionConfig;
  private RetentionJobs retention;

  @Override
  public Future<?> start() {
    DatabaseConfig config;
    DatabaseUrl url;
    try {
      config = DatabaseConfig.from(config());
      url = DatabaseUrl.parse(config.url(), Path.of("").toAbsolutePath());
      secrets = new FieldSecrets(keyring(config()));
      retentionConfig = RetentionConfig.from(config());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // Open first (an unreachable PostgreSQL fails here, with its own clear line), then refuse a key
    // that opens none of the stored secrets before anything is migrated or written, then migrate.
    return vertx.executeBlocking(() -> open(url, config), false)
        .compose(opened -> {
          db = opened;
          return vertx.executeBlocking(() -> {
            checkKey(url, secrets);
            prepareSchema(url, config);
            return null;
          }, false).recover(failure -> db.close().transform(closed -> {
            db = null;
            return Future.failedFuture(failure);
          }));
        })
        .compose(ready -> {
          registerConsumers();
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .onSuccess(done -> LOG.info("store ready on {} ({} addresses)", db.describe(), consumers.size()));
  }

  /**
   * The wrong-key check, before migrations, on a short-lived auto-commit connection of its own: on
   * PostgreSQL a query on a table an older schema lacks would abort a transaction, and KeyCheck skips
   * such tables.
   */
  private static void checkKey(DatabaseUrl url, FieldSecrets secrets) throws SQLException {
    try (Connection connection = url.backend() == DatabaseUrl.Backend.SQLITE
        ? DriverManager.getConnection(url.jdbcUrl())
        : DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password())) {
      KeyCheck.verify(connection, secrets.keyring());
    }
  }

  private Database open(DatabaseUrl url, DatabaseConfig config) throws Exception {
    return switch (url.backend()) {
      case SQLITE -> SqliteDatabase.open(vertx, SqliteOptions.from(url.sqlitePath(), config));
      case POSTGRESQL -> PostgresDatabase.open(vertx, url, config);
    };
  }

  /**
   * The keyring of {@code FIELD_ENCRYPTION_KEY}; a missing or malformed key fails the start with a
   * {@link ConfigException} (the launcher generates a key at first start, so missing means a caller
   * that bypassed it).
   */
  private static FieldKeyring keyring(JsonObject config) {
    Object value = config.getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    if (value == null || value.toString().isBlank()) {
      throw new ConfigException(ConfigKeys.FIELD_ENCRYPTION_KEY,
          "is not set: `scripts/pipelitd keys generate` prints a new key (run generates one at first start)");
    }
    return FieldKeyring.parse(value.toString());
  }

  /** Applies pending migrations, or fails when some are pending and migration on start is off. */
  private void prepareSchema(DatabaseUrl url, DatabaseConfig config) {
    FlywayRunner flyway = Migrations.runner(url);
    if (config.migrateOnStart()) {
      snapshotBeforeMigrating(url, flyway);
      FlywayRunner.MigrateResult result = flyway.migrate();
      if (result.applied() > 0) {
        LOG.info("applied {} migration(s); schema version {}", result.applied(), result.targetVersion());
      }
      schemaVersion = result.targetVersion();
      return;
    }
    int pending = flyway.pendingCount();
    if (pending > 0) {
      throw new IllegalStateException(pending + " database migration(s) pending and migrations on start are off"
          + " (--no-migrate); run without --no-migrate to apply them");
    }
    schemaVersion = flyway.currentVersion();
  }

  /**
   * Before pending migrations touch an existing database, a snapshot into BACKUP_DIR (see
   * {@link PreMigrationSnapshot}); {@code db rollback} restores it.
   */
  private void snapshotBeforeMigrating(DatabaseUrl url, FlywayRunner flyway) {
    int pending = flyway.pendingCount();
    if (pending == 0) {
      return;
    }
    Object key = config().getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    try {
      PreMigrationSnapshot.takeIfNeeded(url, BackupConfig.from(config()).dir().toAbsolutePath(),
          config().getString(ConfigKeys.VERSION, "unknown"),
          BackupManifest.keyFingerprint(key == null ? null : key.toString()), pending);
    } catch (java.io.IOException | SQLException e) {
      throw new IllegalStateException("cannot take the snapshot before migrating: " + e.getMessage()
          + "; nothing was migrated (check BACKUP_DIR)", e);
    }
  }

  /** A human description of the database, without secrets (after start). */
  public String describeDatabase() {
    return db == null ? "not open" : db.describe();
  }

  private void registerConsumers() {
    StoreEvents events = new StoreEvents(vertx.eventBus());
    NodeStore nodes = new NodeStore(db, events);
    EdgeStore edges = new EdgeStore(db, events);
    WorkflowStore workflows = new WorkflowStore(db, events, nodes, edges);
    ExecutionStore executions = new ExecutionStore(db, events);
    // Invalidations reach the HTTP API and bridge of every node (they reuse AUTHENTICATE answers): a clustered publish.
    AuthCache authCache = new AuthCache(ConfigValues.integer(config(), ConfigKeys.AUTH_CACHE_SECONDS,
        ConfigKeys.DEFAULT_AUTH_CACHE_SECONDS, 0, 3_600),
        () -> vertx.eventBus().publish(StoreAddresses.AUTH_INVALIDATED, new JsonObject()));
    AuthStore auth = new AuthStore(vertx, db, authCache);
    CredentialStore credentials = new CredentialStore(db, secrets);
    KeyRotationStore rotation = new KeyRotationStore(db, secrets);

    open(StoreAddresses.HEALTH, request -> db.ping()
        .map(ok -> new JsonObject().put("database", ok).put("write_queue", db.writeQueueDepth())
            .put("writer", db.acceptsWrites()).put("schema_version", schemaVersion)));
    open(StoreAddresses.AUTHENTICATE, auth::authenticate);
    open(StoreAddresses.SETUP_ADMIN, auth::setupAdmin);

    // Users, API keys, MFA (§3.2, §3.3)
    MfaStore mfa = new MfaStore(db, () -> secrets, new MfaLimiter(), authCache);
    UserStore users = new UserStore(vertx, db, mfa, authCache);
    open(StoreAddresses.AUTH_TOKEN, users::token);
    open(StoreAddresses.AUTH_MFA_LOGIN_VERIFY, mfa::loginVerify);
    scoped(StoreAddresses.AUTH_ME, users::me);
    scoped(StoreAddresses.AUTH_MFA_SETUP, mfa::setup);
    scoped(StoreAddresses.AUTH_MFA_VERIFY, mfa::verify);
    scoped(StoreAddresses.AUTH_MFA_DISABLE, mfa::disable);
    scoped(StoreAddresses.AUTH_MFA_STATUS, mfa::status);
    scoped(StoreAddresses.AUTH_MFA_RESET, mfa::reset);
    scoped(StoreAddresses.USERS_ME_GET, users::meGet);
    scoped(StoreAddresses.USERS_ME_UPDATE, users::meUpdate);
    scoped(StoreAddresses.USERS_LIST, users::list);
    scoped(StoreAddresses.USERS_CREATE, users::create);
    scoped(StoreAddresses.USERS_GET, users::get);
    scoped(StoreAddresses.USERS_UPDATE, users::update);
    scoped(StoreAddresses.USERS_DELETE, users::delete);
    scoped(StoreAddresses.KEYS_CREATE, users::keysCreate);
    scoped(StoreAddresses.KEYS_LIST, users::keysList);
    scoped(StoreAddresses.KEYS_REVOKE, users::keysRevoke);
    trusted(StoreAddresses.USERS_CLI_CREATE, users::cliCreate);
    trusted(StoreAddresses.USERS_CLI_LIST, users::cliList);
    trusted(StoreAddresses.USERS_CLI_SET_PASSWORD, users::cliSetPassword);
    trusted(StoreAddresses.USERS_CLI_DEACTIVATE, users::cliDeactivate);
    trusted(StoreAddresses.KEYS_CLI_CREATE, users::cliKeyCreate);

    scoped(StoreAddresses.WORKFLOWS_LIST, workflows::list);
    scoped(StoreAddresses.WORKFLOWS_CREATE, workflows::create);
    scoped(StoreAddresses.WORKFLOWS_GET, workflows::get);
    scoped(StoreAddresses.WORKFLOWS_UPDATE, workflows::update);
    scoped(StoreAddresses.WORKFLOWS_DELETE, workflows::delete);
    scoped(StoreAddresses.WORKFLOWS_BATCH_DELETE, workflows::batchDelete);

    scoped(StoreAddresses.NODES_LIST, nodes::list);
    scoped(StoreAddresses.NODES_CREATE, nodes::create);
    scoped(StoreAddresses.NODES_UPDATE, nodes::update);
    scoped(StoreAddresses.NODES_DELETE, nodes::delete);

    scoped(StoreAddresses.EDGES_LIST, edges::list);
    scoped(StoreAddresses.EDGES_CREATE, edges::create);
    scoped(StoreAddresses.EDGES_UPDATE, edges::update);
    scoped(StoreAddresses.EDGES_DELETE, edges::delete);

    scoped(StoreAddresses.EXECUTIONS_LIST, executions::list);
    scoped(StoreAddresses.EXECUTIONS_GET, executions::get);
    scoped(StoreAddresses.EXECUTIONS_STATUS, executions::status);
    scoped(StoreAddresses.EXECUTIONS_CREATE, executions::create);
    scoped(StoreAddresses.EXECUTIONS_UPDATE, executions::update);
    scoped(StoreAddresses.EXECUTIONS_CANCEL, executions::cancel);
    scoped(StoreAddresses.EXECUTIONS_BATCH_DELETE, executions::batchDelete);
    scoped(StoreAddresses.EXECUTIONS_APPEND_LOG, executions::appendLog);

    scoped(StoreAddresses.CREDENTIALS_LIST, credentials::list);
    scoped(StoreAddresses.CREDENTIALS_CREATE, credentials::create);
    scoped(StoreAddresses.CREDENTIALS_GET, credentials::get);
    scoped(StoreAddresses.CREDENTIALS_UPDATE, credentials::update);
    scoped(StoreAddresses.CREDENTIALS_DELETE, credentials::delete);
    scoped(StoreAddresses.CREDENTIALS_BATCH_DELETE, credentials::batchDelete);
    trusted(StoreAddresses.KEYS_ROTATE_BATCH, rotation::rotateBatch); // the CLI's, in-process only

    // Workspaces (§3.14) under $PIPELIT_DIR/workspaces, and settings (§3.15, admin-only)
    Path pipelitDir = Path.of(config().getString(ConfigKeys.PIPELIT_DIR, ConfigKeys.DEFAULT_PIPELIT_DIR))
        .toAbsolutePath().normalize();
    WorkspacePaths workspacePaths = new WorkspacePaths(pipelitDir.resolve("workspaces"));
    WorkspaceStore workspaces = new WorkspaceStore(vertx, db, secrets, workspacePaths);
    SettingsStore settings = new SettingsStore(vertx, db, secrets, new SettingsStore.Defaults(pipelitDir,
        workspacePaths.root(), config().getString(ConfigKeys.DATABASE_URL, ConfigKeys.DEFAULT_DATABASE_URL),
        db.describe(), retentionConfig.zombieThresholdSeconds()));
    scoped(StoreAddresses.WORKSPACES_LIST, workspaces::list);
    scoped(StoreAddresses.WORKSPACES_CREATE, workspaces::create);
    scoped(StoreAddresses.WORKSPACES_GET, workspaces::get);
    scoped(StoreAddresses.WORKSPACES_UPDATE, workspaces::update);
    scoped(StoreAddresses.WORKSPACES_DELETE, workspaces::delete);
    scoped(StoreAddresses.WORKSPACES_BATCH_DELETE, workspaces::batchDelete);
    scoped(StoreAddresses.WORKSPACES_RESET, workspaces::reset);
    scoped(StoreAddresses.WORKSPACES_RESET_ROOTFS, workspaces::resetRootfs);
    scoped(StoreAddresses.SETTINGS_GET, settings::get);
    scoped(StoreAddresses.SETTINGS_UPDATE, settings::update);
    scoped(StoreAddresses.SETTINGS_RECHECK_ENVIRONMENT, settings::recheckEnvironment);
    trusted(StoreAddresses.SETTINGS_CLI_CURRENT, settings::current);
    settings.applyStoredLogLevel().onFailure(e -> LOG.warn("stored log_level not applied: {}", e.getMessage()));
    // Agent memory (§1.8, §3.13): admin-only lists and batch deletes, and the engine's writes
    MemoryFactStore facts = new MemoryFactStore(db);
    MemoryEpisodeStore episodes = new MemoryEpisodeStore(db);
    MemoryProcedureStore procedures = new MemoryProcedureStore(db);
    MemoryUserStore memoryUsers = new MemoryUserStore(db);
    scoped(StoreAddresses.MEMORY_FACTS_LIST, facts::list);
    scoped(StoreAddresses.MEMORY_FACTS_BATCH_DELETE, facts::batchDelete);
    scoped(StoreAddresses.MEMORY_FACTS_UPSERT, facts::upsert);
    scoped(StoreAddresses.MEMORY_FACTS_TOUCH, facts::touch);
    scoped(StoreAddresses.MEMORY_EPISODES_LIST, episodes::list);
    scoped(StoreAddresses.MEMORY_EPISODES_BATCH_DELETE, episodes::batchDelete);
    scoped(StoreAddresses.MEMORY_EPISODES_RECORD, episodes::record);
    scoped(StoreAddresses.MEMORY_EPISODES_UPDATE, episodes::update);
    scoped(StoreAddresses.MEMORY_PROCEDURES_LIST, procedures::list);
    scoped(StoreAddresses.MEMORY_PROCEDURES_BATCH_DELETE, procedures::batchDelete);
    scoped(StoreAddresses.MEMORY_PROCEDURES_UPSERT, procedures::upsert);
    scoped(StoreAddresses.MEMORY_PROCEDURES_RECORD_USE, procedures::recordUse);
    scoped(StoreAddresses.MEMORY_USERS_LIST, memoryUsers::list);
    scoped(StoreAddresses.MEMORY_USERS_BATCH_DELETE, memoryUsers::batchDelete);
    scoped(StoreAddresses.MEMORY_USERS_UPSERT, memoryUsers::upsert);
    // Schedules and node schedule actions (§3.12, §3.5), pending tasks and conversations (§1.6, §1.10)
    ScheduleStore schedules = new ScheduleStore(db, events, nodes);
    scoped(StoreAddresses.SCHEDULES_LIST, schedules::list);
    scoped(StoreAddresses.SCHEDULES_CREATE, schedules::create);
    scoped(StoreAddresses.SCHEDULES_GET, schedules::get);
    scoped(StoreAddresses.SCHEDULES_UPDATE, schedules::update);
    scoped(StoreAddresses.SCHEDULES_DELETE, schedules::delete);
    scoped(StoreAddresses.SCHEDULES_PAUSE, schedules::pause);
    scoped(StoreAddresses.SCHEDULES_RESUME, schedules::resume);
    scoped(StoreAddresses.SCHEDULES_BATCH_DELETE, schedules::batchDelete);
    scoped(StoreAddresses.SCHEDULES_DUE, schedules::due);
    scoped(StoreAddresses.SCHEDULES_RECORD_RUN, schedules::recordRun);
    scoped(StoreAddresses.NODE_SCHEDULE_START, schedules::nodeStart);
    scoped(StoreAddresses.NODE_SCHEDULE_PAUSE, schedules::nodePause);
    scoped(StoreAddresses.NODE_SCHEDULE_STOP, schedules::nodeStop);
    PendingTaskStore pendingTasks = new PendingTaskStore(db);
    scoped(StoreAddresses.PENDING_TASKS_CREATE, pendingTasks::create);
    scoped(StoreAddresses.PENDING_TASKS_GET, pendingTasks::get);
    scoped(StoreAddresses.PENDING_TASKS_LIST, pendingTasks::list);
    scoped(StoreAddresses.PENDING_TASKS_DELETE, pendingTasks::delete);
    ConversationStore conversations = new ConversationStore(db);
    scoped(StoreAddresses.CONVERSATIONS_CREATE, conversations::create);
    scoped(StoreAddresses.CONVERSATIONS_GET, conversations::get);
    scoped(StoreAddresses.CONVERSATIONS_LIST, conversations::list);
    scoped(StoreAddresses.CONVERSATIONS_UPDATE, conversations::update);
    scoped(StoreAddresses.CONVERSATIONS_DELETE, conversations::delete);
    // Execution recovery and retention (issue 5)
    retention = new RetentionJobs(vertx, db, events, executions, retentionConfig);
    scoped(StoreAddresses.MAINTENANCE_PRUNE, retention::prune);
    trusted(StoreAddresses.MAINTENANCE_PRUNE_CLI, retention::pruneTrusted);
    trusted(StoreAddresses.MAINTENANCE_RECOVER_CLI, request -> retention.recoverNow());
    consumers.add(retention.followSettings());
    if (config().getBoolean(BACKGROUND_JOBS, true)) {
      // A threshold stored through PATCH /settings/ overrides the configured one from the first sweep on.
      settings.current(new JsonObject())
          .onSuccess(retention::applySettings)
          .onFailure(e -> LOG.warn("stored settings not read; the configured zombie threshold applies: {}",
              e.getMessage()))
          .onComplete(read -> retention.start());
    }
    TransferStore transfer = new TransferStore(db, secrets);
    trusted(StoreAddresses.EXPORT_CLI, transfer::export);
    trusted(StoreAddresses.IMPORT_CLI, transfer::importDocument);
  }

  /** An address that needs the caller's identity in the headers. */
  private void scoped(String address, BiFunction<Identity, JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message ->
        handle(address, message, request -> operation.apply(Identity.fromHeaders(message.headers()), request))));
  }

  /**
   * A trusted address of the command line: a LOCAL consumer, so no other cluster node can reach it; never
   * routed over HTTP or the bridge.
   */
  private void trusted(String address, Function<JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>localConsumer(address, message -> handle(address, message, operation)));
  }

  /** An address without identity (health, authentication, the CLI's setup). */
  private void open(String address, Function<JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(address, message, operation)));
  }

  private void handle(String address, Message<Object> message, Function<JsonObject, Future<?>> operation) {
    StoreReplies.answer(LOG, address, message, () -> db == null ? null : db.dialect(), operation);
  }

  @Override
  public Future<?> stop() {
    if (retention != null) {
      retention.stop();
    }
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(unregistered -> db == null ? Future.succeededFuture() : db.close());
  }
}
