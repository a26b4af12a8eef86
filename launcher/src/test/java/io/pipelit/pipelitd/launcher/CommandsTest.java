package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code setup} and {@code run} in-process against the real verticles and a SQLite file in a temp
 * folder: the launcher's wiring (deploy order, readiness, graceful stop, exit codes). The HTTP API
 * itself is tested elsewhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandsTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  LaunchContext context(ByteArrayOutputStream out, ByteArrayOutputStream err, String stdin) {
    return LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of(), dir);
  }

  Outcome execute(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, context(out, err, stdin));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void setupCreatesTheSchemaAndPrintsTheKeyLastThenRefusesASecondAdmin() {
    Outcome first = execute("", "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, first.exitCode(), first.err());
    assertTrue(Files.exists(dir.resolve("platform/db.sqlite3")), "the default SQLite file is created");
    List<String> lines = first.outLines();
    String key = lines.get(lines.size() - 1);
    assertFalse(key.isBlank());
    assertFalse(key.contains(" "), key);
    assertTrue(first.out().contains("admin"), first.out());

    Outcome second = execute("s3cret-second\n", "setup", "--username", "other", "--password-stdin");
    assertEquals(ExitCodes.FAILURE, second.exitCode(), second.err());
    assertEquals("", second.out());
    assertEquals(1, second.err().lines().filter(l -> l.startsWith("pipelitd: ")).count(), second.err());
  }

  @Test
  void setupReadsThePasswordFromStdin() {
    Outcome outcome = execute("from stdin password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.err());
    assertFalse(outcome.outLines().get(outcome.outLines().size() - 1).isBlank());
  }

  @Test
  void runServesUntilStoppedThenExitsZero() throws Exception {
    CompletableFuture<Daemon> ready = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = context(out, err, "").withStopSignal(stop).withReadyListener(ready::complete);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.execute(new String[] {"run", "--http-port", "0"}, context));

    Daemon daemon = ready.get(60, TimeUnit.SECONDS);
    assertTrue(daemon.httpPort() > 0);
    assertTrue(daemon.readyLine().startsWith("pipelitd " + Version.current() + " ready: backend SQLite "),
        daemon.readyLine());
    assertTrue(daemon.readyLine().contains(dir.resolve("platform/db.sqlite3").toString()), daemon.readyLine());
    assertTrue(daemon.readyLine().endsWith("HTTP http://127.0.0.1:" + daemon.httpPort()), daemon.readyLine());

    HttpResponse<String> health = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(daemon.httpUrl() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\""), health.body());

    assertFalse(exit.isDone(), "run stays in the foreground");
    stop.complete(null);
    assertEquals(ExitCodes.OK, exit.get(40, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aPortInUseFailsWithOneClearLineAndExitOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Outcome outcome = execute("", "run", "--http-port", String.valueOf(taken.getLocalPort()));
      assertEquals(ExitCodes.FAILURE, outcome.exitCode(), outcome.err());
      List<String> errLines = outcome.err().lines().filter(l -> l.startsWith("pipelitd: ")).toList();
      assertEquals(1, errLines.size(), outcome.err());
      assertTrue(errLines.get(0).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), errLines.get(0));
    }
  }

  @Test
  void noMigrateRefusesAFreshDatabase() {
    Outcome outcome = execute("", "run", "--no-migrate", "--http-port", "0");
    assertEquals(ExitCodes.FAILURE, outcome.exitCode(), outcome.err());
    assertTrue(outcome.err().startsWith("pipelitd: "), outcome.err());
    assertTrue(outcome.err().contains("migration"), outcome.err());
  }
}
