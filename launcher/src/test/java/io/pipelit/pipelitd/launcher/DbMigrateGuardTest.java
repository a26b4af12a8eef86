package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code db migrate}, {@code repair} and {@code baseline} refuse a SQLite file that a running daemon
 * (another process holding its instance guard) serves, change nothing, and work once it is gone. SQLite
 * only: the guard exists for SQLite files (PostgreSQL migrations serialise on Flyway's advisory lock).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DbMigrateGuardTest {

  @TempDir
  Path dir;

  record Outcome(int code, String out, String err) {}

  Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("FIELD_ENCRYPTION_KEY", FieldKeyring.generateKey()), dir);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void schemaChangesAreRefusedWhileADaemonHoldsTheFile() throws Exception {
    String url = "sqlite:///" + dir.resolve("db.sqlite3");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
        HoldInstanceGuard.class.getName(), url).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("held", lines.readLine());

      Outcome migrate = run("db", "migrate", "--database-url", url);
      assertEquals(ExitCodes.FAILURE, migrate.code(), migrate.err());
      assertTrue(migrate.err().contains("refusing to migrate") && migrate.err().contains("pid " + holder.pid()),
          migrate.err());
      assertEquals(ExitCodes.FAILURE, run("db", "repair", "--database-url", url).code());
      assertEquals(ExitCodes.FAILURE, run("db", "baseline", "--database-url", url).code());

      // Reading is allowed next to the daemon, and shows nothing was applied.
      Outcome current = run("db", "current", "--database-url", url);
      assertEquals(ExitCodes.OK, current.code(), current.err());
      assertTrue(current.out().startsWith("none ("), current.out());
    } finally {
      holder.getOutputStream().close();
      holder.waitFor(30, TimeUnit.SECONDS);
      holder.destroy();
    }
    Outcome migrate = run("db", "migrate", "--database-url", url);
    assertEquals(ExitCodes.OK, migrate.code(), migrate.err());
    assertTrue(migrate.out().startsWith("Applied "), migrate.out());
  }
}
