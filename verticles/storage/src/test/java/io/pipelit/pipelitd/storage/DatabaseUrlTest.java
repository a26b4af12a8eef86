package io.pipelit.pipelitd.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

  private static final Path WORK = Path.of("/srv/pipelit");

  @Test
  void sqliteRelativePathResolvesAgainstWorkingDirectory() {
    DatabaseUrl url = DatabaseUrl.parse("sqlite:///platform/db.sqlite3", WORK);
    assertEquals(DatabaseUrl.Backend.SQLITE, url.backend());
    assertEquals(Path.of("/srv/pipelit/platform/db.sqlite3"), url.sqlitePath());
    assertEquals(0, url.port());
    assertNull(url.host());
    assertNull(url.password());
    assertEquals("SQLite /srv/pipelit/platform/db.sqlite3", url.describe());
  }

  @Test
  void sqliteAbsolutePathWithFourSlashes() {
    DatabaseUrl url = DatabaseUrl.parse("sqlite:////var/lib/pipelit/db.sqlite3", WORK);
    assertEquals(Path.of("/var/lib/pipelit/db.sqlite3"), url.sqlitePath());
  }

  @Test
  void sqlitePathIsNormalised() {
    DatabaseUrl url = DatabaseUrl.parse("sqlite:///./data/../platform/db.sqlite3", WORK);
    assertEquals(Path.of("/srv/pipelit/platform/db.sqlite3"), url.sqlitePath());
  }

  @Test
  void sqliteWithDriverSuffixAndUpperCaseScheme() {
    assertEquals(Path.of("/srv/pipelit/x.db"), DatabaseUrl.parse("sqlite+pysqlite:///x.db", WORK).sqlitePath());
    assertEquals(Path.of("/srv/pipelit/x.db"), DatabaseUrl.parse("  SQLite:///x.db ", WORK).sqlitePath());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite://", "sqlite:///", "sqlite:///:memory:"})
  void sqliteInMemoryIsRefused(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(text, WORK));
    assertTrue(e.getMessage().contains("in-memory"), e.getMessage());
  }

  @Test
  void sqliteWithHostPartIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatabaseUrl.parse("sqlite://platform/db.sqlite3", WORK));
    assertTrue(e.getMessage().contains("three slashes"), e.getMessage());
  }

  @Test
  void postgresFull() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://pipelit:p%40ss@db.example.com:6543/pipelit?sslmode=require", WORK);
    assertEquals(DatabaseUrl.Backend.POSTGRESQL, url.backend());
    assertEquals("pipelit", url.user());
    assertEquals("p@ss", url.password());
    assertEquals("db.example.com", url.host());
    assertEquals(6543, url.port());
    assertEquals("pipelit", url.database());
    assertEquals(Map.of("sslmode", "require"), url.options());
    assertNull(url.sqlitePath());
    assertEquals("PostgreSQL pipelit@db.example.com:6543/pipelit", url.describe());
    assertEquals(url.describe(), url.toString());
  }

  @Test
  void postgresDefaultPortAndSchemeAliases() {
    for (String scheme : List.of("postgresql", "postgres", "postgresql+psycopg2", "POSTGRES")) {
      DatabaseUrl url = DatabaseUrl.parse(scheme + "://u:pw@localhost/app", WORK);
      assertEquals(5432, url.port(), scheme);
      assertEquals("localhost", url.host(), scheme);
      assertEquals("app", url.database(), scheme);
      assertEquals("u", url.user(), scheme);
      assertEquals("pw", url.password(), scheme);
    }
  }

  @Test
  void postgresWithoutUserInfo() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://localhost:5433/app", WORK);
    assertNull(url.user());
    assertNull(url.password());
    assertEquals(5433, url.port());
    assertEquals("PostgreSQL localhost:5433/app", url.describe());
  }

  @Test
  void postgresUserWithoutPassword() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://alice@localhost/app", WORK);
    assertEquals("alice", url.user());
    assertNull(url.password());
  }

  @Test
  void postgresPasswordKeepsPlusAndDecodesUtf8AndReservedCharacters() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:a+b%2Fc%3A%C3%A9@h/d", WORK);
    assertEquals("a+b/c:é", url.password());
  }

  @Test
  void postgresUnencodedAtInPasswordSplitsAtLastAt() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@ss@h/d", WORK);
    assertEquals("p@ss", url.password());
    assertEquals("h", url.host());
  }

  @Test
  void postgresOptionsAreDecodedAndOrdered() {
    DatabaseUrl url = DatabaseUrl.parse(
        "postgresql://u:p@h/d?sslmode=verify-full&application_name=pipelit+d&options=-c%20x%3D1&flag", WORK);
    assertEquals(List.of("sslmode", "application_name", "options", "flag"), List.copyOf(url.options().keySet()));
    assertEquals("pipelit d", url.options().get("application_name"));
    assertEquals("-c x=1", url.options().get("options"));
    assertEquals("", url.options().get("flag"));
    assertThrows(UnsupportedOperationException.class, () -> url.options().put("x", "y"));
  }

  @Test
  void postgresOptionWithAtSignAndNoUserInfo() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://h/d?application_name=a@b", WORK);
    assertNull(url.user());
    assertEquals("h", url.host());
    assertEquals("a@b", url.options().get("application_name"));
  }

  @Test
  void postgresIpv6Host() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://u:p@[::1]:5544/d", WORK);
    assertEquals("::1", url.host());
    assertEquals(5544, url.port());
  }

  @Test
  void unknownSchemeIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatabaseUrl.parse("mysql://u:secret@h/d", WORK));
    assertTrue(e.getMessage().contains("'mysql'"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "   ",
      "not a url s3cr3tpw",
      "u:s3cr3tpw@localhost/db",
      "postgresql://u:s3cr3tpw@/db",
      "postgresql://u:s3cr3tpw@host",
      "postgresql://u:s3cr3tpw@host/",
      "postgresql://u:s3cr3tpw@host:abc/db",
      "postgresql://u:s3cr3tpw@host:70000/db",
      "postgresql://u:s3cr3tpw%zz@host/db",
      "postgresql://u:s3cr3tpw%4@host/db",
      "postgresql://u:s3cr3tpw@[::1/db",
      "postgresql://u:s3cr3tpw@host/db?=x",
      "s3cr3tpw@x://host/db",
      "://s3cr3tpw",
  })
  void malformedUrlsNeverEchoThePassword(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(text, WORK));
    assertTrue(e.getMessage().startsWith("DATABASE_URL"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3tpw"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }

  @Test
  void nullUrlIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(null, WORK));
  }

  @Test
  void passwordNeverInDescribeOrToString() {
    DatabaseUrl url = DatabaseUrl.parse("postgresql://admin:hunter2@db:5432/pipelit", WORK);
    assertFalse(url.describe().contains("hunter2"));
    assertFalse(url.toString().contains("hunter2"));
  }
}
