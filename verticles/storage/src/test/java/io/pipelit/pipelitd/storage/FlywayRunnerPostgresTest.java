package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** FlywayRunner.forPostgres against a real PostgreSQL server, one fresh database per test. */
class FlywayRunnerPostgresTest {

  private static final List<String> LOCATIONS = List.of("classpath:db/testmigration-pg");

  @Test
  void migratesOnceIntoPublicThenHasNothingToDo() throws SQLException {
    DatabaseUrl url = TestPostgres.freshDatabase();
    FlywayRunner runner = FlywayRunner.forPostgres(url, LOCATIONS);
    assertEquals(2, runner.pendingCount());
    assertNull(runner.currentVersion());

    FlywayRunner.MigrateResult first = runner.migrate();
    assertEquals(2, first.applied());
    assertEquals("2", first.targetVersion());
    assertEquals(0, runner.pendingCount());
    runner.validate();

    FlywayRunner.MigrateResult second = FlywayRunner.forPostgres(url, LOCATIONS).migrate();
    assertEquals(0, second.applied());
    assertEquals("2", second.targetVersion());

    try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement()) {
      assertEquals(2, single(s, "SELECT count(*) FROM public.flyway_schema_history WHERE success"));
      assertEquals(2, single(s, "SELECT count(*) FROM information_schema.tables"
          + " WHERE table_schema = 'public' AND table_name IN ('parent', 'child')"));
      assertEquals(1, single(s, "SELECT count(*) FROM parent WHERE is_active AND extra->'k'->>1 = '2'"));
    }
  }

  @Test
  void migrationsRunInUtcWhateverTheJvmZone() throws SQLException {
    DatabaseUrl url = TestPostgres.freshDatabase();
    TimeZone jvmZone = TimeZone.getDefault();
    try {
      // pgjdbc sends the JVM's zone at login; FlywayRunner must still run the migrations in UTC.
      TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
      FlywayRunner.forPostgres(url, LOCATIONS).migrate();
    } finally {
      TimeZone.setDefault(jvmZone);
    }
    try (Connection c = TestPostgres.connect(url);
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT session_zone FROM child")) {
      rows.next();
      assertEquals("UTC", rows.getString(1));
    }
  }

  @Test
  void unreachableServerFailsWithAReadableMessageWithoutThePassword() {
    int port = TestPostgres.freePort();
    DatabaseUrl url = DatabaseUrl.parse("postgresql://alice:Sup3r-S3cret@127.0.0.1:" + port + "/pipelit", null);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> FlywayRunner.forPostgres(url, LOCATIONS).migrate());
    assertTrue(e.getMessage().startsWith("Cannot migrate the schema of PostgreSQL alice@127.0.0.1:" + port + "/pipelit"),
        e.getMessage());
    assertFalse(e.getMessage().contains("Sup3r-S3cret"), e.getMessage());
  }

  @Test
  void refusesSqliteUrls() {
    assertThrows(IllegalArgumentException.class,
        () -> FlywayRunner.forPostgres(DatabaseUrl.parse("sqlite:////tmp/x.db", null), LOCATIONS));
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
