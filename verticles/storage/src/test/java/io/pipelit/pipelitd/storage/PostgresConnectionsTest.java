package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.vertx.core.json.JsonObject;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.ds.PGSimpleDataSource;

/** DATABASE_URL to JDBC URL and connection properties, the PostgreSQL settings, and failure classification. */
class PostgresConnectionsTest {

  private static DatabaseUrl parse(String url) {
    return DatabaseUrl.parse(url, null);
  }

  // --- jdbcUrl ---------------------------------------------------------------------------------

  @Test
  void jdbcUrlHasNoCredentialsAndADefaultApplicationName() {
    DatabaseUrl url = parse("postgresql://pipelit:p%40ss@db.example.com:6543/pipelit");
    assertEquals("jdbc:postgresql://db.example.com:6543/pipelit?ApplicationName=pipelitd", url.jdbcUrl());
    assertFalse(url.jdbcUrl().contains("p@ss") || url.jdbcUrl().contains("pipelit:"), url.jdbcUrl());
  }

  @Test
  void libpqOptionsAreMappedToPgjdbcProperties() {
    DatabaseUrl url = parse("postgres://u:pw@db:5432/pipelit?sslmode=verify-full&application_name=my+app"
        + "&connect_timeout=7&sslrootcert=/etc/pki/root.crt&sslcert=/etc/pki/client.crt&sslkey=/etc/pki/client.key");
    assertEquals("jdbc:postgresql://db:5432/pipelit?sslmode=verify-full&ApplicationName=my+app&connectTimeout=7"
        + "&sslrootcert=%2Fetc%2Fpki%2Froot.crt&sslcert=%2Fetc%2Fpki%2Fclient.crt&sslkey=%2Fetc%2Fpki%2Fclient.key",
        url.jdbcUrl());
  }

  @ParameterizedTest
  @ValueSource(strings = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
  void everyLibpqSslModeIsAccepted(String mode) {
    assertTrue(parse("postgresql://h/db?sslmode=" + mode).jdbcUrl().contains("sslmode=" + mode));
  }

  @Test
  void ipv6HostIsBracketedAndDatabaseNameEncoded() {
    DatabaseUrl url = parse("postgresql://u@[::1]:5433/my%20db%2Bx");
    assertEquals("jdbc:postgresql://[::1]:5433/my+db%2Bx?ApplicationName=pipelitd", url.jdbcUrl());
  }

  @Test
  void unknownOptionIsNamedInTheError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("postgresql://u:hunter22@h/db?target_session_attrs=any").jdbcUrl());
    assertTrue(e.getMessage().contains("'target_session_attrs'"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
  }

  @Test
  void optionThatLooksLikeASecretIsNotEchoed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("postgresql://u@h/db?p4ss-w0rd!%23").jdbcUrl());
    assertFalse(e.getMessage().contains("p4ss"), e.getMessage());
    assertTrue(e.getMessage().contains("does not support"), e.getMessage());
  }

  @Test
  void passwordAsAnOptionIsRefusedWithoutItsValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("postgresql://u@h/db?password=hunter22").jdbcUrl());
    assertTrue(e.getMessage().contains("'password'"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter22"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sslmode=required", "sslmode=", "connect_timeout=5s", "connect_timeout=-1", "sslcert="})
  void badOptionValuesAreRefused(String option) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("postgresql://u@h/db?" + option).jdbcUrl());
    assertTrue(e.getMessage().contains(option.substring(0, option.indexOf('='))), e.getMessage());
  }

  @Test
  void sqliteJdbcUrl() {
    assertEquals("jdbc:sqlite:/srv/pipelit/db.sqlite3",
        DatabaseUrl.parse("sqlite:///db.sqlite3", Path.of("/srv/pipelit")).jdbcUrl());
  }

  // --- connection properties -------------------------------------------------------------------

  @Test
  void propertiesCarryCredentialsTimeoutsAndDriverSettings() {
    Properties p = PostgresConnections.properties(parse("postgresql://alice:s%3Acret@h/db"), 1_500, 30_000);
    assertEquals("alice", p.getProperty("user"));
    assertEquals("s:cret", p.getProperty("password"));
    assertEquals("2", p.getProperty("connectTimeout"), "milliseconds rounded up to seconds");
    assertEquals("-c statement_timeout=30000", p.getProperty("options"));
    assertEquals("60", p.getProperty("socketTimeout"), "statement timeout plus a 30 s margin");
    assertEquals("true", p.getProperty("tcpKeepAlive"));
    assertEquals("true", p.getProperty("reWriteBatchedInserts"));
    assertEquals("pipelitd", p.getProperty("ApplicationName"));
  }

  @Test
  void noStatementTimeoutMeansNoOptionsAndNoSocketTimeout() {
    Properties p = PostgresConnections.properties(parse("postgresql://h/db"), 10_000, 0);
    assertNull(p.getProperty("options"));
    assertNull(p.getProperty("socketTimeout"));
    assertNull(p.getProperty("user"));
    assertNull(p.getProperty("password"));
  }

  @Test
  void urlConnectTimeoutWinsOverTheConfiguredOne() {
    Properties p = PostgresConnections.properties(parse("postgresql://h/db?connect_timeout=3"), 10_000, 0);
    assertEquals("3", p.getProperty("connectTimeout"));
  }

  @Test
  void flywayDataSourceGetsTheSameSettingsWithoutStatementTimeout() {
    PGSimpleDataSource ds = PostgresConnections.dataSource(
        parse("postgresql://alice:secret@db.example:6000/pipelit?sslmode=require&application_name=mig"), 10_000);
    assertEquals("db.example", ds.getServerNames()[0]);
    assertEquals(6000, ds.getPortNumbers()[0]);
    assertEquals("pipelit", ds.getDatabaseName());
    assertEquals("alice", ds.getUser());
    assertEquals("secret", ds.getPassword());
    assertEquals("require", ds.getSslMode());
    assertEquals("mig", ds.getApplicationName());
    assertEquals(10, ds.getConnectTimeout());
    assertNull(ds.getOptions());
    assertFalse(ds.getUrl().contains("secret"), ds.getUrl());
  }

  // --- configuration ---------------------------------------------------------------------------

  @Test
  void postgresSettingsHaveDocumentedDefaults() {
    DatabaseConfig cfg = DatabaseConfig.defaults("postgresql://h/db");
    assertEquals(ConfigKeys.DEFAULT_PG_POOL_SIZE, cfg.pgPoolSize());
    assertEquals(8, cfg.pgPoolSize());
    assertEquals(30_000, cfg.pgStatementTimeoutMs());
    assertEquals(10_000, cfg.pgConnectTimeoutMs());
    assertEquals(5, cfg.pgMaxRetries());
    assertTrue(ConfigKeys.ALL.containsAll(java.util.List.of(ConfigKeys.PG_POOL_SIZE,
        ConfigKeys.PG_STATEMENT_TIMEOUT_MS, ConfigKeys.PG_CONNECT_TIMEOUT_MS, ConfigKeys.PG_MAX_RETRIES)));
  }

  @Test
  void postgresSettingsAreReadFromStringsAndValidated() {
    DatabaseConfig cfg = DatabaseConfig.from(new JsonObject()
        .put(ConfigKeys.PG_POOL_SIZE, "32")
        .put(ConfigKeys.PG_STATEMENT_TIMEOUT_MS, "0")
        .put(ConfigKeys.PG_CONNECT_TIMEOUT_MS, 2500)
        .put(ConfigKeys.PG_MAX_RETRIES, "0"));
    assertEquals(32, cfg.pgPoolSize());
    assertEquals(0, cfg.pgStatementTimeoutMs());
    assertEquals(2_500, cfg.pgConnectTimeoutMs());
    assertEquals(0, cfg.pgMaxRetries());
    assertThrows(ConfigException.class,
        () -> DatabaseConfig.from(new JsonObject().put(ConfigKeys.PG_POOL_SIZE, 0)));
    assertThrows(ConfigException.class,
        () -> DatabaseConfig.from(new JsonObject().put(ConfigKeys.PG_POOL_SIZE, 257)));
    assertThrows(ConfigException.class,
        () -> DatabaseConfig.from(new JsonObject().put(ConfigKeys.PG_CONNECT_TIMEOUT_MS, 0)));
    assertThrows(ConfigException.class,
        () -> DatabaseConfig.from(new JsonObject().put(ConfigKeys.PG_STATEMENT_TIMEOUT_MS, -1)));
    assertThrows(ConfigException.class,
        () -> DatabaseConfig.from(new JsonObject().put(ConfigKeys.PG_MAX_RETRIES, "many")));
  }

  // --- failure classification ------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03"})
  void connectionLossStates(String state) {
    assertTrue(PostgresConnections.isConnectionLoss(new SQLException("x", state)));
    assertTrue(PostgresConnections.isConnectionLoss(new RuntimeException(new SQLException("x", state))));
  }

  @Test
  void ioErrorCountsOnlyUnderAnSqlException() {
    assertTrue(PostgresConnections.isConnectionLoss(new SQLException("I/O error", null, new EOFException())));
    assertFalse(PostgresConnections.isConnectionLoss(new IllegalStateException(new IOException("disk full"))));
    assertFalse(PostgresConnections.isConnectionLoss(new SQLException("duplicate key", "23505")));
    assertFalse(PostgresConnections.isConnectionLoss(new SQLException("canceled", "57014")));
  }

  @Test
  void conflicts() {
    assertTrue(PostgresConnections.isConflict(new SQLException("x", "40001")));
    assertTrue(PostgresConnections.isConflict(new SQLException("x", "40P01")));
    assertTrue(PostgresConnections.isDeadlock(new RuntimeException(new SQLException("x", "40P01"))));
    assertFalse(PostgresConnections.isConflict(new SQLException("x", "23505")));
    assertFalse(PostgresConnections.isConflict(new RuntimeException("40001")));
  }

  @Test
  void shortReasonPrefersTheNetworkErrorAndKeepsOneLine() {
    assertEquals("Connection refused", PostgresConnections.shortReason(new SQLException(
        "Connection to h:5432 refused. Check that the hostname and port are correct.", "08001",
        new ConnectException("Connection refused"))));
    assertEquals("FATAL: database \"x\" does not exist", PostgresConnections.shortReason(
        new SQLException("FATAL: database \"x\" does not exist\n  Detail: more", "3D000")));
    assertEquals("the server closed the connection",
        PostgresConnections.shortReason(new SQLException("The connection attempt failed.", "08001", new EOFException())));
  }

  @Test
  void redactMasksThePasswordButNotTinyOnes() {
    assertEquals("login as *** failed", PostgresConnections.redact("login as hunter22 failed", "hunter22"));
    assertEquals("Connection refused", PostgresConnections.redact("Connection refused", "e"));
    assertEquals("x", PostgresConnections.redact("x", null));
  }
}
