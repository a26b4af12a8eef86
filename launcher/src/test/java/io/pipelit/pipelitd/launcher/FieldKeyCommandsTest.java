package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIELD_ENCRYPTION_KEY in the launcher: generated into .env (mode 0600) at first start and reused after,
 * a malformed key exits 2 without showing it, {@code keys generate} prints a valid key, {@code keys rotate}
 * without a key exits 2.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FieldKeyCommandsTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {}

  Outcome execute(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, dir));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static List<String> keyLines(Path file) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> l.startsWith("FIELD_ENCRYPTION_KEY=")).toList();
  }

  @Test
  void aMissingKeyIsGeneratedIntoDotEnvWithMode0600AndReusedAfter() throws Exception {
    Outcome first = execute(Map.of(), "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, first.exitCode(), first.err());
    Path env = dir.resolve(".env");
    assertTrue(Files.exists(env));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    List<String> lines = keyLines(env);
    assertEquals(1, lines.size(), lines.toString());
    String key = lines.get(0).substring("FIELD_ENCRYPTION_KEY=".length());
    assertEquals(44, key.length());
    FieldKeyring.parse(key);
    assertFalse(first.out().contains(key) || first.err().contains(key), "the key is never printed");

    // The second start reads it from .env and appends nothing.
    Outcome second = execute(Map.of(), "setup", "--username", "other", "--password", "correct horse battery");
    assertEquals(ExitCodes.FAILURE, second.exitCode(), second.err()); // an admin exists
    assertEquals(lines, keyLines(env));
  }

  @Test
  void anExistingDotEnvKeepsItsContentAndGetsTheKeyAppended() throws Exception {
    Path env = dir.resolve(".env");
    Files.writeString(env, "# mine\nOTHER=1");
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
    Outcome outcome = execute(Map.of(), "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.err());
    List<String> all = Files.readAllLines(env);
    assertEquals("# mine", all.get(0));
    assertEquals("OTHER=1", all.get(1));
    assertEquals(1, keyLines(env).size());
  }

  @Test
  void firstStartsAtOnceAllEndWithTheSameKeyInDotEnv() throws Exception {
    Path env = dir.resolve(".env");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> FieldKeySetup.append(env, FieldKeyring.generateKey())));
      }
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (java.util.concurrent.Future<String> result : results) {
        keys.add(result.get(30, TimeUnit.SECONDS));
      }
      assertEquals(1, keys.size(), "one key for everyone");
      assertEquals(List.of("FIELD_ENCRYPTION_KEY=" + keys.iterator().next()), keyLines(env));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMalformedKeyExitsTwoWithOneLineNamingItNeverShowingIt() {
    String bad = "c2VjcmV0LWJ1dC1ub3QtYS1mZXJuZXQta2V5";
    Outcome outcome = execute(Map.of("FIELD_ENCRYPTION_KEY", bad), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.err());
    List<String> lines = outcome.err().lines().filter(l -> l.startsWith("pipelitd: ")).toList();
    assertEquals(1, lines.size(), outcome.err());
    assertTrue(lines.get(0).contains("FIELD_ENCRYPTION_KEY"), lines.get(0));
    assertFalse(outcome.err().contains(bad), outcome.err());
    assertFalse(Files.exists(dir.resolve("platform/db.sqlite3")), "no database is created");

    String key = FieldKeyring.generateKey();
    Outcome second = execute(Map.of("FIELD_ENCRYPTION_KEY", key + "," + bad), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, second.exitCode(), second.err());
    assertTrue(second.err().contains("2nd of 2"), second.err());
    assertFalse(second.err().contains(key) || second.err().contains(bad), second.err());
  }

  @Test
  void keysGeneratePrintsAValidKeyAndTouchesNothing() {
    Outcome outcome = execute(Map.of(), "keys", "generate");
    assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.err());
    String key = outcome.out().strip();
    assertEquals(44, key.length(), outcome.out());
    FieldKeyring keyring = FieldKeyring.parse(key);
    assertEquals("x", keyring.decrypt(keyring.encrypt("x")).value());
    assertFalse(Files.exists(dir.resolve(".env")));
    assertFalse(Files.exists(dir.resolve("platform")));
    assertTrue(!execute(Map.of(), "keys", "generate").out().strip().equals(key), "a new key each time");
  }

  @Test
  void aWrongKeyAtStartExitsOneWithOneLineSayingWhatToDo() throws Exception {
    Outcome setup = execute(Map.of(), "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, setup.exitCode(), setup.err());
    String key = keyLines(dir.resolve(".env")).get(0).substring("FIELD_ENCRYPTION_KEY=".length());
    Path db = dir.resolve("platform/db.sqlite3");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
         java.sql.PreparedStatement s = c.prepareStatement("UPDATE user_profiles SET totp_secret = ?")) {
      s.setString(1, FieldKeyring.parse(key).encrypt("JBSWY3DPEHPK3PXP"));
      assertEquals(1, s.executeUpdate());
    }
    byte[] before = Files.readAllBytes(db);
    String wrong = FieldKeyring.generateKey();
    Outcome outcome = execute(Map.of("FIELD_ENCRYPTION_KEY", wrong), "run", "--http-port", "0");
    assertEquals(ExitCodes.FAILURE, outcome.exitCode(), outcome.err());
    List<String> lines = outcome.err().lines().filter(l -> l.startsWith("pipelitd: ")).toList();
    assertEquals(1, lines.size(), outcome.err());
    assertTrue(lines.get(0).contains("does not decrypt any of the 1 encrypted value(s)"), lines.get(0));
    assertTrue(lines.get(0).contains("user_profiles.totp_secret"), lines.get(0));
    assertFalse(outcome.err().contains(wrong) || outcome.err().contains(key), outcome.err());
    assertEquals(1, keyLines(dir.resolve(".env")).size(), "no key generated when one is set");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
         java.sql.Statement s = c.createStatement();
         java.sql.ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM user_profiles")) {
      rows.next();
      assertEquals(1, rows.getLong(1));
    }
    assertTrue(before.length > 0);

    Outcome right = execute(Map.of("FIELD_ENCRYPTION_KEY", wrong + "," + key), "keys", "rotate");
    assertEquals(ExitCodes.OK, right.exitCode(), right.err());
    assertTrue(right.out().contains("Done: rotated 1, already current 0"), right.out());
  }

  @Test
  void aMissingKeyOnADatabaseWithSecretsIsRefusedAndNothingIsWritten() throws Exception {
    Outcome setup = execute(Map.of(), "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, setup.exitCode(), setup.err());
    Path env = dir.resolve(".env");
    String key = keyLines(env).get(0).substring("FIELD_ENCRYPTION_KEY=".length());
    Path db = dir.resolve("platform/db.sqlite3");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
         java.sql.PreparedStatement s = c.prepareStatement("UPDATE user_profiles SET totp_secret = ?")) {
      s.setString(1, FieldKeyring.parse(key).encrypt("JBSWY3DPEHPK3PXP"));
      assertEquals(1, s.executeUpdate());
    }
    Files.delete(env); // the key is lost: a new one would read nothing

    Outcome outcome = execute(Map.of(), "run", "--http-port", "0");
    assertEquals(ExitCodes.FAILURE, outcome.exitCode(), outcome.err());
    assertTrue(outcome.err().contains("already holds 1 encrypted value(s)"), outcome.err());
    assertFalse(Files.exists(env), "no key generated into .env");
  }

  @Test
  void keysRotateWithoutAKeyExitsTwo() {
    Outcome outcome = execute(Map.of(), "keys", "rotate");
    assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.err());
    assertTrue(outcome.err().contains("FIELD_ENCRYPTION_KEY"), outcome.err());
    assertFalse(Files.exists(dir.resolve(".env")));
  }
}
