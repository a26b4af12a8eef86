package io.pipelit.pipelitd.plugins.auditlog;

import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Follows every change event ({@link EventAddresses#ALL}) and appends it to a file, one JSON object per
 * line: {@code {"ts": "<ISO-8601 instant received>", "type": "...", "workflow_slug": "...", "data": {...}}},
 * in the order the store published them (commit order).
 *
 * <p>The file is {@link ConfigKeys#AUDIT_LOG_FILE} (default {@value ConfigKeys#DEFAULT_AUDIT_LOG_FILE}),
 * relative to the daemon's working directory; it and its folder are created on start, the file with mode
 * 0600 (the data holds workflow contents), the folder with 0700. All file work goes through Vert.x's
 * asynchronous file system: nothing blocks the event loop. Lines are written in arrival order.
 *
 * <p>Durability (fsync policy): each line is handed to the operating system as it arrives, so it
 * survives a crash of the daemon; the file is fsynced ({@code flush}) and closed on stop, so a clean stop
 * loses nothing, while a power loss may lose the last lines written since. Events are at-most-once on the
 * bus: the log follows what was published, it is not a transactional record of the database.
 */
public final class AuditLogVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(AuditLogVerticle.class.getName());

  private AsyncFile file;
  private MessageConsumer<JsonObject> consumer;
  /** Writes handed to the file and not yet completed; only touched on this verticle's event loop. */
  private long outstanding;
  /** Completed when {@link #outstanding} drops to zero, while a stop waits for it. */
  private Promise<Void> drained;

  @Override
  public Future<?> start() {
    String configured = ConfigValues.string(config(), ConfigKeys.AUDIT_LOG_FILE, ConfigKeys.DEFAULT_AUDIT_LOG_FILE);
    String workingDir = config().getString(PipelitdPlugin.WORKING_DIR_KEY, "");
    Path path = Path.of(workingDir).resolve(configured).toAbsolutePath().normalize();
    Path parent = path.getParent();
    Future<Void> folder = parent == null ? Future.succeededFuture()
        : vertx.fileSystem().exists(parent.toString()).compose(exists -> exists ? Future.<Void>succeededFuture()
            : vertx.fileSystem().mkdirs(parent.toString(), "rwx------"));
    return folder
        .compose(ignored -> vertx.fileSystem().open(path.toString(),
            new OpenOptions().setAppend(true).setCreate(true).setWrite(true).setRead(false).setPerms("rw-------")))
        .compose(opened -> {
          file = opened;
          consumer = vertx.eventBus().<JsonObject>consumer(EventAddresses.ALL, message -> append(message.body()));
          return consumer.completion();
        })
        .recover(failure -> Future.failedFuture(new IllegalStateException(
            ConfigKeys.AUDIT_LOG_FILE + " " + path + " cannot be opened for appending: " + failure.getMessage(),
            failure)));
  }

  private void append(JsonObject event) {
    JsonObject line = new JsonObject()
        .put("ts", Instant.now().toString())
        .put("type", event.getValue("type"))
        .put("workflow_slug", event.getValue("workflow_slug"))
        .put("data", event.getValue("data"));
    // AsyncFile performs the write off the event loop, each at the next position of the file.
    outstanding++;
    file.write(Buffer.buffer(line.encode()).appendString("\n")).onComplete(done -> {
      if (done.failed()) {
        LOG.log(System.Logger.Level.ERROR, "audit log: an event could not be written: " + done.cause());
      }
      if (--outstanding == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
    return unregistered.transform(ignored -> {
      if (file == null) {
        return Future.<Void>succeededFuture();
      }
      // Every line written, then fsync, then close.
      drained = Promise.promise();
      if (outstanding == 0) {
        drained.tryComplete();
      }
      return drained.future().compose(none -> file.flush()).transform(flushed -> file.close());
    });
  }
}
