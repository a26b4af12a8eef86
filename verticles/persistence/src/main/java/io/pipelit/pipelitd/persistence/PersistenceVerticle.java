package io.pipelit.pipelitd.persistence;

import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.pipelit.pipelitd.persistence.impl.AuthStore;
import io.pipelit.pipelitd.persistence.impl.EdgeStore;
import io.pipelit.pipelitd.persistence.impl.ExecutionStore;
import io.pipelit.pipelitd.persistence.impl.NodeStore;
import io.pipelit.pipelitd.persistence.impl.StoreEvents;
import io.pipelit.pipelitd.persistence.impl.WorkflowStore;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.FlywayRunner;
import io.pipelit.pipelitd.storage.PostgresDatabase;
import io.pipelit.pipelitd.storage.SqliteDatabase;
import io.pipelit.pipelitd.storage.SqliteOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
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
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();

  @Override
  public Future<?> start() {
    DatabaseConfig config;
    DatabaseUrl url;
    try {
      config = DatabaseConfig.from(config());
      url = DatabaseUrl.parse(config.url(), Path.of("").toAbsolutePath());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> {
          prepareSchema(url, config);
          return open(url, config);
        }, false)
        .compose(opened -> {
          db = opened;
          registerConsumers();
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        })
        .onSuccess(done -> LOG.info("store ready on {} ({} addresses)", db.describe(), consumers.size()));
  }

  private Database open(DatabaseUrl url, DatabaseConfig config) throws Exception {
    return switch (url.backend()) {
      case SQLITE -> SqliteDatabase.open(vertx, SqliteOptions.from(url.sqlitePath(), config));
      case POSTGRESQL -> PostgresDatabase.open(vertx, url, config);
    };
  }

  /** Applies pending migrations, or fails when some are pending and migration on start is off. */
  private static void prepareSchema(DatabaseUrl url, DatabaseConfig config) {
    FlywayRunner flyway = Migrations.runner(url);
    if (config.migrateOnStart()) {
      FlywayRunner.MigrateResult result = flyway.migrate();
      if (result.applied() > 0) {
        LOG.info("applied {} migration(s); schema version {}", result.applied(), result.targetVersion());
      }
      return;
    }
    int pending = flyway.pendingCount();
    if (pending > 0) {
      throw new IllegalStateException(pending + " database migration(s) pending and migrations on start are off"
          + " (--no-migrate); run without --no-migrate to apply them");
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
    AuthStore auth = new AuthStore(vertx, db);

    open(StoreAddresses.HEALTH, request -> db.ping()
        .map(ok -> new JsonObject().put("database", ok).put("write_queue", db.writeQueueDepth())));
    open(StoreAddresses.AUTHENTICATE, auth::authenticate);
    open(StoreAddresses.SETUP_ADMIN, auth::setupAdmin);

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
    scoped(StoreAddresses.EXECUTIONS_CREATE, executions::create);
    scoped(StoreAddresses.EXECUTIONS_UPDATE, executions::update);
    scoped(StoreAddresses.EXECUTIONS_CANCEL, executions::cancel);
    scoped(StoreAddresses.EXECUTIONS_BATCH_DELETE, executions::batchDelete);
    scoped(StoreAddresses.EXECUTIONS_APPEND_LOG, executions::appendLog);
  }

  /** An address that needs the caller's identity in the headers. */
  private void scoped(String address, BiFunction<Identity, JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message ->
        handle(address, message, request -> operation.apply(Identity.fromHeaders(message.headers()), request))));
  }

  /** An address without identity (health, authentication, the CLI's setup). */
  private void open(String address, Function<JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(address, message, operation)));
  }

  private void handle(String address, Message<Object> message, Function<JsonObject, Future<?>> operation) {
    Future<?> result;
    try {
      if (!(message.body() instanceof JsonObject request)) {
        throw new StoreException(ErrorCode.BAD_REQUEST, "The request must be a JSON object.");
      }
      result = operation.apply(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(message::reply).onFailure(error -> fail(address, message, error));
  }

  private void fail(String address, Message<Object> message, Throwable error) {
    if (error instanceof StoreException store) {
      message.fail(store.code().value(), store.detail());
      return;
    }
    // Races possible on PostgreSQL, where writes run in parallel: the loser gets a clear conflict.
    if (error instanceof SQLException sql && db.dialect().isUniqueViolation(sql)) {
      message.fail(ErrorCode.CONFLICT.value(), "A concurrent change took the same name; retry the request.");
      return;
    }
    if (error instanceof SQLException sql && db.dialect().isForeignKeyViolation(sql)) {
      message.fail(ErrorCode.CONFLICT.value(),
          "A concurrent change removed something this request refers to; read it again and retry.");
      return;
    }
    LOG.error("unexpected failure on {}", address, error);
    message.fail(ErrorCode.INTERNAL.value(), "Internal Server Error");
  }

  @Override
  public Future<?> stop() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(unregistered -> db == null ? Future.succeededFuture() : db.close());
  }
}
