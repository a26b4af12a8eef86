package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code users create|list|set-password|deactivate} and {@code keys create} in-process against the real
 * store and a SQLite file in a temp folder: output, database effects and exit codes (0 ok, 1 runtime,
 * 2 usage or validation).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AccountCommandsTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    String lastLine() {
      List<String> lines = outLines();
      return lines.get(lines.size() - 1);
    }
  }

  Outcome execute(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of(), dir);
    int code = Main.execute(args, context);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("platform/db.sqlite3"));
  }

  private String query(String sql, String parameter) throws Exception {
    try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, parameter);
      try (ResultSet rows = s.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  @Test
  void usersAndKeysFromTheCommandLine() throws Exception {
    Outcome setup = execute("", "setup", "--username", "root", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, setup.exitCode(), setup.err());

    Outcome created = execute("alice's password\n", "users", "create", "--username", "alice", "--password-stdin",
        "--first-name", "Alice");
    assertEquals(ExitCodes.OK, created.exitCode(), created.err());
    assertTrue(created.out().contains("'alice'"), created.out());
    String hash = query("SELECT password_hash FROM user_profiles WHERE username = ?", "alice");
    assertTrue(BCrypt.verifyer().verify("alice's password".toCharArray(), hash).verified);
    assertTrue(hash.startsWith("$2b$"));

    Outcome taken = execute("", "users", "create", "--username", "alice", "--password", "whatever123");
    assertEquals(ExitCodes.FAILURE, taken.exitCode(), taken.err());
    assertTrue(taken.err().contains("Username already exists."), taken.err());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", "bob", "--password", "short")
        .exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", "bob", "--password", "long enough",
        "--role", "root").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", " bob", "--password",
        "long enough").exitCode(), "a padded name is refused by the store (validation: 2)");
    Outcome admin2 = execute("", "users", "create", "--username", "carol", "--password", "long enough",
        "--role", "admin");
    assertEquals(ExitCodes.OK, admin2.exitCode(), admin2.err());

    Outcome list = execute("", "users", "list");
    assertEquals(ExitCodes.OK, list.exitCode(), list.err());
    assertEquals("id\tusername\trole\tstatus\tmfa\tkeys\tcreated_at", list.outLines().get(0));
    assertTrue(list.outLines().stream().anyMatch(l -> l.contains("\talice\tnormal\tactive\t-\t0\t")), list.out());
    assertTrue(list.outLines().stream().anyMatch(l -> l.contains("\tcarol\tadmin\tactive\t")), list.out());
    assertEquals(4, list.outLines().size());

    Outcome key = execute("", "keys", "create", "--username", "alice", "--name", "ci",
        "--expires", "2999-01-01T00:00:00Z");
    assertEquals(ExitCodes.OK, key.exitCode(), key.err());
    String full = key.lastLine();
    assertEquals(43, full.length(), full);
    assertEquals("ci", query("SELECT name FROM api_keys WHERE key = ?", ApiKeys.hash(full)));
    assertEquals(null, query("SELECT name FROM api_keys WHERE key = ?", full), "never stored in clear");
    assertEquals(ExitCodes.FAILURE, execute("", "keys", "create", "--username", "ghost").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "keys", "create", "--username", "alice", "--expires", "tomorrow")
        .exitCode());
    Outcome past = execute("", "keys", "create", "--username", "alice", "--expires", "2020-01-01T00:00:00");
    assertEquals(ExitCodes.USAGE, past.exitCode(), past.err());
    assertTrue(past.err().contains("expires_at must be in the future."), past.err());
    assertEquals(ExitCodes.USAGE, execute("", "keys", "create", "--username", "alice", "--name", "session")
        .exitCode());

    Outcome password = execute("", "users", "set-password", "--username", "alice", "--password", "brand new pw");
    assertEquals(ExitCodes.OK, password.exitCode(), password.err());
    assertTrue(BCrypt.verifyer().verify("brand new pw".toCharArray(),
        query("SELECT password_hash FROM user_profiles WHERE username = ?", "alice")).verified);
    assertEquals(ExitCodes.FAILURE, execute("", "users", "set-password", "--username", "ghost", "--password",
        "brand new pw").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "set-password", "--username", "alice", "--password",
        "short").exitCode());

    Outcome deactivated = execute("", "users", "deactivate", "--username", "alice");
    assertEquals(ExitCodes.OK, deactivated.exitCode(), deactivated.err());
    assertEquals("0", query("SELECT COUNT(*) FROM api_keys k JOIN user_profiles u ON u.id = k.user_id"
        + " WHERE k.is_active AND u.username = ?", "alice"));
    assertTrue(execute("", "users", "list").out().contains("\talice\tnormal\tdeactivated\t"));
    assertEquals(ExitCodes.FAILURE, execute("", "keys", "create", "--username", "alice").exitCode(),
        "no key for a deactivated user");
    assertEquals(ExitCodes.FAILURE, execute("", "users", "deactivate", "--username", "ghost").exitCode());

    assertEquals(ExitCodes.OK, execute("", "users", "deactivate", "--username", "carol").exitCode());
    Outcome lastAdmin = execute("", "users", "deactivate", "--username", "root");
    assertEquals(ExitCodes.FAILURE, lastAdmin.exitCode(), lastAdmin.err());
    assertTrue(lastAdmin.err().contains("Cannot deactivate the last admin user."), lastAdmin.err());
  }

  @Test
  void usageErrorsExitTwoWithoutTouchingADatabase() {
    assertEquals(ExitCodes.USAGE, execute("", "users").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", "x").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", "x", "--password", "long enough",
        "--password-stdin").exitCode());
    assertEquals(ExitCodes.USAGE, execute("", "users", "create", "--username", "x", "--password-stdin").exitCode(),
        "empty stdin");
    assertEquals(ExitCodes.USAGE, execute("", "keys", "create").exitCode());
    assertFalse(dir.resolve("platform/db.sqlite3").toFile().exists());
  }
}
