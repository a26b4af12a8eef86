package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, run in-process through {@link Main#execute(String[], LaunchContext)}. */
class MainTest {

  @TempDir
  Path dir;

  /** One in-process invocation and what it printed. */
  record Outcome(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  Outcome run(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env, dir);
    int code = Main.execute(args, context);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Outcome run(String... args) {
    return run(Map.of(), "", args);
  }

  @Test
  void runExitWhenReadyStartsEverythingThenStopsCleanlyWithExitZero() throws Exception {
    Outcome outcome = run("run", "--http-port", "0", "--exit-when-ready");
    assertEquals(0, outcome.exitCode(), outcome.err());
    // A full first start happened: key generated, both databases created and migrated, then closed.
    assertTrue(Files.readString(dir.resolve(".env")).contains("FIELD_ENCRYPTION_KEY="));
    assertTrue(Files.size(dir.resolve("platform/db.sqlite3")) > 0);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("platform/db.sqlite3"));
         Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE version = '7' AND success = 1")) {
      rows.next();
      assertEquals(1, rows.getInt(1), "the last migration (V7) applied");
    }
    assertFalse(Files.exists(dir.resolve("platform/db.sqlite3-wal")) && Files.size(dir.resolve("platform/db.sqlite3-wal")) > 0,
        "a graceful stop checkpoints the WAL");
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Outcome outcome = run("--version");
    assertEquals(ExitCodes.OK, outcome.exitCode());
    assertEquals("pipelitd " + Version.current(), outcome.out().strip());
    assertNotEquals("unknown", Version.current(), "the filtered version resource is on the classpath");
    assertTrue(Version.current().matches("\\d+\\.\\d+\\.\\d+.*"), Version.current());
  }

  @Test
  void helpListsTheCommandsAndExitsZero() {
    Outcome outcome = run("--help");
    assertEquals(ExitCodes.OK, outcome.exitCode());
    assertTrue(outcome.out().contains("Usage: pipelitd"), outcome.out());
    assertTrue(outcome.out().contains("run"), outcome.out());
    assertTrue(outcome.out().contains("setup"), outcome.out());
    assertTrue(outcome.out().contains("--conf"), outcome.out());
    assertEquals("", outcome.err());
    // Every command, also when --help comes before one (only "[--conf FILE] run" builds the daemon's alone).
    for (Outcome listing : List.of(outcome, run("--help", "run"), run("--conf", "x.json", "--help"))) {
      for (Class<?> command : Main.COMMANDS) {
        String name = command.getAnnotation(picocli.CommandLine.Command.class).name();
        assertTrue(listing.out().contains("\n  " + name + " "), name + " missing from:\n" + listing.out());
      }
    }
  }

  @Test
  void onlyConfThenRunStartsTheDaemonWithItsOwnCommandAlone() {
    for (String[] daemon : List.of(new String[] {"run"}, new String[] {"run", "--help"},
        new String[] {"--conf", "run", "run"}, new String[] {"--conf=x.json", "run", "--http-port", "0"})) {
      assertTrue(Main.startsDaemon(daemon), String.join(" ", daemon));
    }
    for (String[] other : List.of(new String[] {}, new String[] {"--help", "run"}, new String[] {"--conf", "run"},
        new String[] {"setup", "run"}, new String[] {"-V"}, new String[] {"runs"})) {
      assertFalse(Main.startsDaemon(other), String.join(" ", other));
    }
  }

  @Test
  void commandHelpWorksToo() {
    Outcome runHelp = run("run", "--help");
    assertEquals(ExitCodes.OK, runHelp.exitCode());
    assertTrue(runHelp.out().contains("--no-migrate"), runHelp.out());
    assertTrue(runHelp.out().contains("--http-port"), runHelp.out());
    Outcome setupHelp = run("setup", "--help");
    assertEquals(ExitCodes.OK, setupHelp.exitCode());
    assertTrue(setupHelp.out().contains("--password-stdin"), setupHelp.out());
  }

  @Test
  void noCommandIsAUsageError() {
    Outcome outcome = run();
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("Missing required command"), outcome.err());
    assertTrue(outcome.err().contains("Usage: pipelitd"), outcome.err());
    assertEquals("", outcome.out());
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    Outcome outcome = run("serve");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("serve"), outcome.err());
    assertTrue(outcome.err().contains("Usage:"), outcome.err());
  }

  @Test
  void anUnknownFlagIsAUsageError() {
    Outcome top = run("--frobnicate");
    assertEquals(ExitCodes.USAGE, top.exitCode());
    assertTrue(top.err().contains("--frobnicate"), top.err());
    Outcome sub = run("run", "--frobnicate");
    assertEquals(ExitCodes.USAGE, sub.exitCode());
    assertTrue(sub.err().contains("--frobnicate"), sub.err());
  }

  @Test
  void anInvalidFlagValueGivesOneLineNamingTheKeyAndExitTwo() {
    Outcome outcome = run("run", "--http-port", "99999");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertEquals(1, outcome.errLines().size(), outcome.err());
    assertTrue(outcome.err().startsWith("pipelitd: "), outcome.err());
    assertTrue(outcome.err().contains(ConfigKeys.HTTP_PORT), outcome.err());
    assertEquals("", outcome.out());
  }

  @Test
  void anInvalidEnvironmentValueGivesOneLineNamingTheKeyAndExitTwo() {
    Outcome outcome = run(Map.of(ConfigKeys.SQLITE_SYNCHRONOUS, "SOMETIMES"), "", "run");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertEquals(1, outcome.errLines().size(), outcome.err());
    assertTrue(outcome.err().contains(ConfigKeys.SQLITE_SYNCHRONOUS), outcome.err());
  }

  @Test
  void anInvalidDotEnvValueIsAConfigurationError() throws Exception {
    Files.writeString(dir.resolve(".env"), "PIPELITD_READ_POOL_SIZE=many\n");
    Outcome outcome = run("setup", "--username", "admin", "--password", "long enough password");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertEquals(1, outcome.errLines().size(), outcome.err());
    assertTrue(outcome.err().contains(ConfigKeys.READ_POOL_SIZE), outcome.err());
  }

  @Test
  void aBadDatabaseUrlIsExitTwoWithoutThePassword() {
    Outcome outcome = run(Map.of(), "", "run", "--database-url", "postgresql://me:Hunter2Secret@db:port/x");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertEquals(1, outcome.errLines().size(), outcome.err());
    assertTrue(outcome.err().contains("DATABASE_URL"), outcome.err());
    assertFalse(outcome.err().contains("Hunter2Secret"), outcome.err());
  }

  @Test
  void aMissingConfFileIsExitTwoNamingTheFile() {
    for (String[] args : List.of(new String[] {"--conf", "missing.json", "run"},
        new String[] {"run", "--conf", "missing.json"})) {
      Outcome outcome = run(args);
      assertEquals(ExitCodes.USAGE, outcome.exitCode(), String.join(" ", args));
      assertEquals(1, outcome.errLines().size(), outcome.err());
      assertTrue(outcome.err().contains(dir.resolve("missing.json").toString()), outcome.err());
    }
  }

  @Test
  void aMalformedDefaultConfFileIsExitTwoNamingTheFile() throws Exception {
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/pipelitd.json"), "{ not json");
    Outcome outcome = run("run");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertEquals(1, outcome.errLines().size(), outcome.err());
    assertTrue(outcome.err().contains("conf/pipelitd.json"), outcome.err());
  }

  @Test
  void debugAddsTheStackTrace() {
    Map<String, String> env = new HashMap<>();
    env.put("PIPELITD_DEBUG", "1");
    Outcome outcome = run(env, "", "run", "--http-port", "-5");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertTrue(outcome.errLines().size() > 1, outcome.err());
    assertTrue(outcome.errLines().get(0).startsWith("pipelitd: "), outcome.err());
  }

  @Test
  void setupNeedsExactlyOnePasswordSource() {
    Outcome neither = run("setup", "--username", "admin");
    assertEquals(ExitCodes.USAGE, neither.exitCode());
    assertTrue(neither.err().contains("--password"), neither.err());
    Outcome both = run("setup", "--username", "admin", "--password", "x", "--password-stdin");
    assertEquals(ExitCodes.USAGE, both.exitCode());
    Outcome noUser = run("setup", "--password", "x");
    assertEquals(ExitCodes.USAGE, noUser.exitCode());
    assertTrue(noUser.err().contains("--username"), noUser.err());
  }

  @Test
  void setupWithAnEmptyStdinIsAUsageError() {
    Outcome outcome = run(Map.of(), "", "setup", "--username", "admin", "--password-stdin");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("standard input"), outcome.err());
    assertFalse(Files.exists(dir.resolve("platform")), "nothing was created");
  }
}
