package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write path's meters as a scrape sees them, on both backends. */
class StoreMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @BeforeEach
  void install() {
    Metrics.addRegistry(registry);
  }

  @AfterEach
  void remove() throws Exception {
    Metrics.removeRegistry(registry);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }

  @Test
  void sqliteCommitsBatchesSizeAndQueueAreMeasured() throws Exception {
    Path file = dir.resolve("metered.sqlite3");
    SqliteDatabase db = await(vertx.executeBlocking(() -> SqliteDatabase.open(vertx, SqliteOptions.defaults(file))));
    await(db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
      }
      return null;
    }));
    for (int i = 0; i < 20; i++) {
      int id = i;
      await(db.write(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("INSERT INTO t (id) VALUES (" + id + ")");
        }
      }));
    }
    String tag = file.getFileName().toString();
    assertEquals(21.0, registry.get("pipelitd.writes").tag("database", tag).tag("outcome", "committed").counter().count());
    assertTrue(registry.get("pipelitd.commit").tag("database", tag).timer().count() >= 21);
    assertNotNull(registry.get("pipelitd.write.batch.size").tag("database", tag).summary());
    assertEquals(0.0, registry.get("pipelitd.write.queue.depth").tag("database", tag).gauge().value());
    assertTrue(registry.get("pipelitd.database.size").tag("database", tag).gauge().value() > 0);
    assertEquals(0.0, registry.get("pipelitd.database.busy").tag("database", tag).counter().count());
    await(db.close());
  }

  @Test
  void postgresqlDatabaseSizeIsRefreshedInTheBackground() throws Exception {
    DatabaseUrl url = TestPostgres.freshDatabase();
    PostgresDatabase db = await(vertx.executeBlocking(() ->
        PostgresDatabase.open(vertx, url, DatabaseConfig.defaults(url.toString()))));
    try {
      long deadline = System.currentTimeMillis() + 10_000;
      double size = -1;
      while (size <= 0 && System.currentTimeMillis() < deadline) {
        size = registry.get("pipelitd.database.size").tag("database", url.database()).gauge().value();
        Thread.sleep(50);
      }
      assertTrue(size > 0, "pg_database_size read: " + size);
    } finally {
      await(db.close());
    }
  }
}
