package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pipelit.pipelitd.backup.BackupSchedulerVerticle;
import io.pipelit.pipelitd.contracts.BackupAddresses;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's life: an unwritable backup folder is reported at start (in /ready and /health) without
 * stopping the daemon; stopping aborts a running backup and leaves nothing behind; the last backup's
 * time, duration and result are metrics.
 */
class BackupSchedulerTest extends BackendSuite {

  JsonObject config(Path backupDir) {
    return new JsonObject()
        .put(ConfigKeys.DATABASE_URL, daemon.databaseUrl)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, Daemon.checkpointsUrl(daemon.databaseUrl))
        .put(ConfigKeys.FIELD_ENCRYPTION_KEY, daemon.fieldKey)
        .put(ConfigKeys.BACKUP_DIR, backupDir.toString())
        .put(ConfigKeys.BACKUP_SCHEDULE, "*/5 * * * *");
  }

  String deploy(BackupSchedulerVerticle verticle, Path backupDir) {
    return Daemon.await(daemon.vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config(backupDir))));
  }

  @Test
  void anUnwritableBackupFolderIsReportedAtStartAndInHealth() throws Exception {
    Path folder = Files.createTempDirectory("pipelitd-unwritable-");
    Path file = Files.writeString(folder.resolve("a-file"), "not a folder");
    String id = deploy(new BackupSchedulerVerticle(), file.resolve("backups"));
    try {
      JsonObject ready = daemon.get("/ready").json();
      assertEquals("ready", ready.getString("status"), "backups do not make the node unready");
      assertTrue(ready.getJsonObject("checks").getString("backups").contains("not writable"), ready.encode());
      assertTrue(daemon.get("/health").json().getString("backups").contains("not writable"));
      JsonObject status = (JsonObject) Daemon.await(daemon.vertx.eventBus().request(BackupAddresses.STATUS,
          new JsonObject())).body();
      assertFalse(status.getBoolean("backup_dir_writable"));
      assertEquals("*/5 * * * *", status.getString("schedule"));
      Response refused = daemon.post("/api/v1/backups/", null);
      assertEquals(500, refused.status(), refused.toString());
    } finally {
      Daemon.await(daemon.vertx.undeploy(id));
    }
  }

  @Test
  void theLastBackupIsAMetric() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Metrics.globalRegistry.add(registry);
    Path backups = Files.createTempDirectory("pipelitd-metrics-").resolve("backups");
    String id = deploy(new BackupSchedulerVerticle(), backups);
    try {
      assertEquals(-1.0, registry.get("pipelitd.backup.last.success").gauge().value(), "none yet");
      assertEquals(201, daemon.post("/api/v1/backups/", null).status());
      assertEquals(1.0, registry.get("pipelitd.backup.last.success").gauge().value());
      assertTrue(registry.get("pipelitd.backup.last.timestamp").gauge().value() > 1.7e9);
      assertTrue(registry.get("pipelitd.backup.last.duration").gauge().value() >= 0);
      assertEquals("verified", daemon.get("/ready").json().getJsonObject("checks").getJsonObject("last_backup")
          .getString("status"));
    } finally {
      Daemon.await(daemon.vertx.undeploy(id));
      Metrics.globalRegistry.remove(registry);
    }
  }

  @Test
  void stoppingAbortsARunningBackupAndLeavesNothing() throws Exception {
    fill(40);
    Path backups = Files.createTempDirectory("pipelitd-abort-").resolve("backups");
    // Compressed SQLite files are written slowly, so that the stop surely meets the backup running.
    BackupFiles.StreamOpener slow = file -> new java.io.FilterOutputStream(Files.newOutputStream(file)) {
      @Override
      public void write(byte[] b, int off, int len) throws java.io.IOException {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        out.write(b, off, len);
      }
    };
    String id = deploy(new BackupSchedulerVerticle(slow), backups);
    Future<Object> reply = daemon.vertx.eventBus().request(BackupAddresses.CREATE, new JsonObject(),
        new Identity(1, Identity.ADMIN).toDeliveryOptions().setSendTimeout(120_000)).map(m -> m.body());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!partialExists(backups) && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertTrue(partialExists(backups), "the backup started");
    Daemon.await(daemon.vertx.undeploy(id));
    Throwable failure = reply.transform(done -> Future.succeededFuture(done.cause())).await(60, TimeUnit.SECONDS);
    assertTrue(failure instanceof ReplyException, "the caller got an answer: " + failure);
    assertEquals(ErrorCode.UNAVAILABLE.value(), ((ReplyException) failure).failureCode(), failure.getMessage());
    try (Stream<Path> left = Files.list(backups)) {
      assertEquals(List.of(), left.toList(), "no partial folder, no backup");
    }
  }

  static boolean partialExists(Path backups) throws Exception {
    if (!Files.isDirectory(backups)) {
      return false;
    }
    try (Stream<Path> children = Files.list(backups)) {
      return children.anyMatch(p -> p.getFileName().toString().endsWith(".partial"));
    }
  }

  void fill(int megabytes) throws Exception {
    try (Connection c = daemon.connect()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS backup_test_filler (id INTEGER PRIMARY KEY, data "
            + (backend == Backend.SQLITE ? "BLOB" : "BYTEA") + ")");
      }
      java.util.Random random = new java.util.Random(42);
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO backup_test_filler (id, data) VALUES (?, ?)")) {
        for (int i = 0; i < megabytes * 16; i++) {
          byte[] data = new byte[64 * 1024];
          random.nextBytes(data);
          insert.setLong(1, i);
          insert.setBytes(2, data);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.commit();
    }
  }
}
