package io.pipelit.pipelitd.checkpoints;

import io.pipelit.pipelitd.checkpoints.impl.CheckpointStore;
import io.pipelit.pipelitd.checkpoints.impl.Schema;
import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.EventSequencer;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.ScheduledJobs;
import io.pipelit.pipelitd.contracts.StoreException;
import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.pipelit.pipelitd.storage.Database;
import io.pipelit.pipelitd.storage.StoreReplies;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.PostgresDatabase;
import io.pipelit.pipelitd.storage.SqliteDatabase;
import io.pipelit.pipelitd.storage.SqliteOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint store: LangGraph's conversation memory ({@code checkpoints} and {@code writes} tables,
 * compatible with langgraph-checkpoint-sqlite) in its own database, served on the
 * {@code pipelit.checkpoints.*} addresses ({@link CheckpointAddresses}), admin callers only.
 *
 * <p>Configuration ({@link CheckpointConfig}): {@code CHECKPOINTS_DATABASE_URL} (default
 * {@code sqlite:///platform/checkpoints.db}, relative to the working directory, or a PostgreSQL URL),
 * {@code CHECKPOINTS_MAX_BYTES}, the scheduled prune keys, and the main database's SQLite and PostgreSQL
 * tuning keys ({@link DatabaseConfig}), which apply to this database too.
 *
 * <p>The database is opened on first use, not at start: a SQLite file is created by the first write
 * (put, put_writes, copy_thread); until then reads answer "nothing" and deletes and prunes count zero,
 * without creating it. Writes to SQLite go through storage's single writer ({@link SqliteDatabase}).
 * The schema is ensured when the database opens, with LangGraph's own {@code CREATE TABLE IF NOT EXISTS}
 * statements and an additive column check, not with Flyway: an existing LangGraph {@code checkpoints.db}
 * has no migration history, LangGraph itself never records one, and a history table in a file LangGraph
 * keeps writing to would claim a control pipelitd does not have.
 */
public class CheckpointVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);

  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private CheckpointConfig config;
  private DatabaseConfig tuning;
  private DatabaseUrl url;
  private Database db;               // on this verticle's context only
  private Future<Database> opening;  // on this verticle's context only
  /** Publishes the change events of the checkpoint store (after each successful change). */
  private EventSequencer events;
  private long pruneTimer = -1;
  private boolean pruning;

  @Override
  public Future<?> start() {
    try {
      config = CheckpointConfig.from(config());
      tuning = DatabaseConfig.from(config());
      url = DatabaseUrl.parse(config.url(), Path.of("").toAbsolutePath());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    CheckpointStore store = new CheckpointStore(vertx, new Access(), url, config.maxBytes());
    events = new EventSequencer(vertx.eventBus());
    admin(CheckpointAddresses.PUT, announced("checkpoint_put", store::put));
    admin(CheckpointAddresses.PUT_WRITES, announced("checkpoint_writes_put", store::putWrites));
    admin(CheckpointAddresses.GET_TUPLE, store::getTuple);
    admin(CheckpointAddresses.LIST, store::list);
    admin(CheckpointAddresses.DELETE_THREAD, announced("thread_deleted", store::deleteThread));
    admin(CheckpointAddresses.PRUNE, announced("checkpoints_pruned", store::prune));
    admin(CheckpointAddresses.STATS, store::stats);
    admin(CheckpointAddresses.COPY_THREAD, announced("thread_copied", store::copyThread));
    admin(CheckpointAddresses.ADMIN_LIST, store::adminList);
    admin(CheckpointAddresses.BATCH_DELETE, announced("checkpoints_deleted", store::batchDelete));
    if (config.pruneScheduleSeconds() > 0) {
      schedulePrune(store);
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(done -> LOG.info("checkpoint store ready on {} (opened on first use; {} addresses)",
            url.describe(), consumers.size()));
  }

  /** A description of the checkpoint database, without secrets. */
  public String describeDatabase() {
    return url == null ? "not configured" : url.describe();
  }

  private void schedulePrune(CheckpointStore store) {
    // CHECKPOINTS_KEEP_LAST / CHECKPOINTS_MAX_AGE_SECONDS 0 mean "no such rule" (-1), never "keep 0".
    CheckpointStore.PruneRequest rule = new CheckpointStore.PruneRequest(
        config.keepLast() > 0 ? config.keepLast() : -1,
        config.maxAgeSeconds() > 0 ? config.maxAgeSeconds() : -1, null, false);
    pruneTimer = vertx.setPeriodic(config.pruneScheduleSeconds() * 1000, id -> {
      if (pruning || !ScheduledJobs.mayRun(vertx)) {
        return; // the previous prune is still running, or another cluster node runs the scheduled jobs
      }
      pruning = true;
      store.prune(rule)
          .onSuccess(result -> {
            if (result.getLong("deleted_checkpoints") > 0) {
              LOG.info("scheduled prune: {}", result.encode());
            }
            events.publish(EventAddresses.CHECKPOINTS, new JsonObject().put("type", "checkpoints_pruned")
                .put("data", new JsonObject().put("scheduled", true).put("result", result)));
          })
          .onFailure(e -> LOG.warn("scheduled prune failed: {}", e.toString()))
          .onComplete(done -> pruning = false);
    });
  }

  /** The database, opened (and its schema ensured) on first use; see the class comment. */
  private final class Access implements CheckpointStore.Access {
    @Override
    public Future<Database> database(boolean create) {
      if (db != null) {
        return Future.succeededFuture(db);
      }
      if (opening != null) {
        return opening;
      }
      if (!create && url.backend() == DatabaseUrl.Backend.SQLITE) {
        return vertx.executeBlocking(() -> Files.exists(url.sqlitePath()), false)
            .compose(exists -> exists ? database(true) : Future.<Database>succeededFuture(null));
      }
      opening = vertx.executeBlocking(CheckpointVerticle.this::open, false)
          .compose(opened -> Schema.ensure(opened)
              .transform(ensured -> ensured.succeeded()
                  ? Future.succeededFuture(opened)
                  : opened.close().transform(closed -> Future.<Database>failedFuture(ensured.cause()))))
          .onSuccess(opened -> {
            db = opened;
            LOG.info("checkpoint database open: {}", opened.describe());
          })
          .recover(e -> {
            opening = null; // the next request tries again (a server back up, a directory now writable)
            if (e instanceof StoreException) {
              return Future.failedFuture(e);
            }
            LOG.error("cannot open the checkpoint database {}: {}", url.describe(), e.toString());
            return Future.failedFuture(new StoreException(ErrorCode.UNAVAILABLE,
                "The checkpoint database is unavailable."));
          });
      return opening;
    }
  }

  /** Blocking: opens the SQLite file (creating it) or connects to PostgreSQL. */
  private Database open() throws Exception {
    return switch (url.backend()) {
      case SQLITE -> SqliteDatabase.open(vertx, SqliteOptions.from(url.sqlitePath(), tuning));
      case POSTGRESQL -> PostgresDatabase.open(vertx, url, tuning);
    };
  }

  /**
   * The operation, followed on success by a change event on {@link EventAddresses#CHECKPOINTS}: the
   * request's thread and checkpoint ids (never the blobs) and the reply, in the order the store answered.
   */
  private Function<JsonObject, Future<?>> announced(String type, Function<JsonObject, Future<?>> operation) {
    return request -> operation.apply(request).onSuccess(reply -> {
      JsonObject data = new JsonObject();
      for (String field : new String[] {"checkpoint_ns", "ns", "checkpoint_id", "thread_ids", "checkpoint_ids"}) {
        if (request.containsKey(field)) {
          data.put(field, request.getValue(field));
        }
      }
      if (reply instanceof JsonObject answer) {
        data.put("result", answer.copy());
      }
      JsonObject event = new JsonObject().put("type", type).put("data", data);
      if (request.getValue("thread_id") instanceof String threadId) {
        event.put("thread_id", threadId);
      }
      events.publish(EventAddresses.CHECKPOINTS, event);
    });
  }

  /** An admin-only address: a normal user's identity is refused with FORBIDDEN. */
  private void admin(String address, Function<JsonObject, Future<?>> operation) {
    consumers.add(vertx.eventBus().<Object>consumer(address, message -> handle(address, message, operation)));
  }

  private void handle(String address, Message<Object> message, Function<JsonObject, Future<?>> operation) {
    StoreReplies.answer(LOG, address, message, () -> db == null ? null : db.dialect(), request -> {
      Identity identity = Identity.fromHeaders(message.headers());
      if (!identity.isAdmin()) {
        throw new StoreException(ErrorCode.FORBIDDEN, "Admin access required.");
      }
      return operation.apply(request);
    });
  }

  @Override
  public Future<?> stop() {
    if (pruneTimer >= 0) {
      vertx.cancelTimer(pruneTimer);
    }
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .transform(unregistered -> opening == null ? Future.succeededFuture(null) : opening.otherwiseEmpty())
        .transform(opened -> db == null ? Future.succeededFuture() : db.close());
  }
}
