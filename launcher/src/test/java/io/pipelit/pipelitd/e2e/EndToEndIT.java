package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when", as a newcomer would do it: the packaged jar run through scripts/pipelitd in
 * a fresh working directory creates platform/db.sqlite3 and serves; setup prints a key; with that key
 * an HTTP client creates a workflow with nodes and edges, records an execution with logs and reads
 * them back. Real processes, real files, real HTTP.
 */
class EndToEndIT extends ProcessTestBase {
  @Test
  void freshCheckoutStartSetupAndUse() throws Exception {
    Result version = run(Map.of(), null, "--version");
    assertEquals(0, version.exit(), version.stderr());
    assertTrue(version.stdout().startsWith("pipelitd "), version.stdout());

    int port = freePort();
    int metricsPort = freePort();
    Map<String, String> env = Map.of("PIPELITD_HTTP_PORT", Integer.toString(port),
        "PIPELITD_METRICS_PORT", Integer.toString(metricsPort));
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(env, "run").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String base = "http://127.0.0.1:" + port;
    waitForHealth(base, log);
    String startup = Files.readString(log);
    assertTrue(startup.contains("ready"), startup);
    assertTrue(startup.contains(workDir.resolve("platform/db.sqlite3").toString()), startup);
    assertTrue(Files.exists(workDir.resolve("platform/db.sqlite3")));

    Result status = run(env, null, "status");
    assertEquals(0, status.exit(), status.stderr());
    assertTrue(status.stdout().contains("\"status\":\"ready\""), status.stdout());

    Result setup = run(Map.of(), "a long enough password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();
    assertTrue(key.matches("[A-Za-z0-9_-]{43}"), "the key is the last line: " + setup.stdout());
    assertFalse(setup.stderr().contains(key), "the key must not be logged");
    Result again = run(Map.of(), null, "setup", "--username", "other", "--password", "another password");
    assertEquals(1, again.exit());
    assertTrue(again.stderr().contains("admin"), again.stderr());

    assertEquals(401, call("GET", base + "/api/v1/workflows/", null, null).statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/", key, "{\"name\":\"Hello\",\"slug\":\"hello\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/hello/nodes/", key,
        "{\"node_id\":\"chat\",\"component_type\":\"trigger_chat\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/hello/nodes/", key,
        "{\"node_id\":\"agent\",\"component_type\":\"agent\",\"config\":{\"system_prompt\":\"Be brief.\"}}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/hello/edges/", key,
        "{\"source_node_id\":\"chat\",\"target_node_id\":\"agent\"}").statusCode());
    HttpResponse<String> execution = call("POST", base + "/api/v1/executions/", key,
        "{\"workflow_slug\":\"hello\",\"trigger_payload\":{\"text\":\"hi\"}}");
    assertEquals(201, execution.statusCode(), execution.body());
    String id = new JsonObject(execution.body()).getString("execution_id");
    assertEquals(200, call("PATCH", base + "/api/v1/executions/" + id + "/", key, "{\"status\":\"running\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/executions/" + id + "/logs/", key,
        "{\"node_id\":\"agent\",\"status\":\"completed\",\"output\":{\"output\":\"hello\"}}").statusCode());
    assertEquals(200, call("PATCH", base + "/api/v1/executions/" + id + "/", key,
        "{\"status\":\"completed\",\"final_output\":{\"output\":\"hello\"}}").statusCode());

    JsonObject workflow = new JsonObject(call("GET", base + "/api/v1/workflows/hello/", key, null).body());
    assertEquals(2, workflow.getJsonArray("nodes").size());
    assertEquals(1, workflow.getJsonArray("edges").size());
    JsonObject detail = new JsonObject(call("GET", base + "/api/v1/executions/" + id + "/", key, null).body());
    assertEquals("completed", detail.getString("status"));

    // Prometheus: admin key on the API, no key on the separate metrics listener.
    assertEquals(401, call("GET", base + "/metrics", null, null).statusCode());
    HttpResponse<String> metrics = call("GET", base + "/metrics", key, null);
    assertEquals(200, metrics.statusCode(), metrics.body());
    assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    for (String expected : List.of("vertx_http_server_requests_total", "vertx_eventbus_",
        "pipelitd_writes_total{database=\"db.sqlite3\",outcome=\"committed\"}", "pipelitd_commit_seconds_bucket",
        "pipelitd_write_batch_size", "pipelitd_write_queue_depth", "pipelitd_database_busy_total",
        "pipelitd_database_size_bytes", "jvm_memory_used_bytes")) {
      assertTrue(metrics.body().contains(expected), expected + " missing from /metrics");
    }
    assertFalse(metrics.body().contains(key), "no key in metrics");
    HttpResponse<String> open = call("GET", "http://127.0.0.1:" + metricsPort + "/metrics", null, null);
    assertEquals(200, open.statusCode());
    assertTrue(open.body().contains("pipelitd_writes_total"));
    assertEquals(1, detail.getJsonArray("logs").size());

    // A graceful stop keeps everything; a restart on the same files serves it again.
    daemon.destroy();
    assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon did not stop on SIGTERM");
    assertEquals(0, daemon.exitValue(), "a graceful stop exits 0: " + read(log));
    Result down = run(env, null, "status");
    assertEquals(1, down.exit());
    assertTrue(down.stderr().contains("no daemon answers"), down.stderr());
    assertTrue(read(log).contains("pipelitd stopped"), read(log));
    daemon = pipelitd(env, "run").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    waitForHealth(base, log);
    JsonObject reread = new JsonObject(call("GET", base + "/api/v1/executions/" + id + "/", key, null).body());
    assertEquals(detail, reread);
  }

  @Test
  void postgresqlDatabaseUrlServesTheSameApiOnADatabaseItMigratedItself() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      try (Connection admin = postgres.getPostgresDatabase().getConnection();
           Statement statement = admin.createStatement()) {
        statement.execute("CREATE ROLE pipelit LOGIN PASSWORD 'p@ss:w/rd'");
        statement.execute("CREATE DATABASE pipelit OWNER pipelit");
      }
      // The password is URL-encoded in DATABASE_URL, as the README says.
      String url = "postgresql://pipelit:p%40ss%3Aw%2Frd@localhost:" + postgres.getPort() + "/pipelit";
      int port = freePort();
      Map<String, String> env = Map.of("PIPELITD_HTTP_PORT", Integer.toString(port), "DATABASE_URL", url);
      Path log = workDir.resolve("daemon-pg.log");
      daemon = pipelitd(env, "run").redirectErrorStream(true).redirectOutput(log.toFile()).start();
      String base = "http://127.0.0.1:" + port;
      waitForHealth(base, log);
      assertTrue(read(log).contains("PostgreSQL pipelit@localhost:" + postgres.getPort() + "/pipelit"), read(log));
      assertFalse(read(log).contains("p@ss"), "the password must never be logged");
      assertFalse(Files.exists(workDir.resolve("platform/db.sqlite3")), "no SQLite file on PostgreSQL");

      Result setup = run(Map.of("DATABASE_URL", url), "a long enough password\n", "setup", "--username", "admin",
          "--password-stdin");
      assertEquals(0, setup.exit(), setup.stderr());
      String[] lines = setup.stdout().strip().split("\n");
      String key = lines[lines.length - 1].strip();
      assertEquals(201, call("POST", base + "/api/v1/workflows/", key, "{\"name\":\"Hello\",\"slug\":\"hello\"}").statusCode());
      HttpResponse<String> execution = call("POST", base + "/api/v1/executions/", key, "{\"workflow_slug\":\"hello\"}");
      assertEquals(201, execution.statusCode(), execution.body());
      String id = new JsonObject(execution.body()).getString("execution_id");
      assertEquals(201, call("POST", base + "/api/v1/executions/" + id + "/logs/", key,
          "{\"node_id\":\"n\",\"status\":\"completed\"}").statusCode());
      JsonObject detail = new JsonObject(call("GET", base + "/api/v1/executions/" + id + "/", key, null).body());
      assertEquals(1, detail.getJsonArray("logs").size());
      try (Connection c = postgres.getDatabase("pipelit", "pipelit").getConnection();
           Statement statement = c.createStatement();
           ResultSet rows = statement.executeQuery("SELECT count(*) FROM execution_logs")) {
        rows.next();
        assertEquals(1, rows.getLong(1), "the row is in PostgreSQL");
      }
      daemon.destroy();
      assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, daemon.exitValue(), read(log));
    }
  }

  @Test
  void unreachablePostgresqlAtStartIsOneLineAndNonZeroWithoutThePassword() throws Exception {
    int closedPort = freePort(); // nothing listens there
    Result result = run(Map.of("DATABASE_URL", "postgresql://bob:Sup3rS3cret@127.0.0.1:" + closedPort
        + "/pipelit?connect_timeout=2"), null, "run");
    assertEquals(1, result.exit(), result.stderr());
    assertFalse(result.stderr().contains("Sup3rS3cret"), "the password must never be printed: " + result.stderr());
    List<String> problems = result.stderr().lines().filter(line -> line.startsWith("pipelitd:")).toList();
    assertEquals(1, problems.size(), result.stderr());
    assertTrue(problems.get(0).contains("127.0.0.1:" + closedPort), problems.get(0));
    assertFalse(result.stderr().contains("\tat "), "no stack trace: " + result.stderr());
  }

  @Test
  void aSecondDaemonOnTheSameSqliteFileIsRefusedAndACrashLeavesNoStaleGuard() throws Exception {
    int port = freePort();
    Path log = workDir.resolve("first.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(port)), "run")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    waitForHealth("http://127.0.0.1:" + port, log);

    Result second = run(Map.of("PIPELITD_HTTP_PORT", Integer.toString(freePort())), null, "run");
    assertEquals(1, second.exit(), second.stderr());
    assertTrue(second.stderr().contains("already serving"), second.stderr());
    assertTrue(second.stderr().contains("pid " + daemon.pid()), second.stderr());

    daemon.destroyForcibly(); // kill -9: the guard file stays behind, its lock dies with the process
    assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.exists(workDir.resolve("platform/db.sqlite3.pipelitd-lock")));
    assertTrue(Files.exists(workDir.resolve("platform/checkpoints.db.pipelitd-lock")), "the checkpoint file is guarded too");
    int restartPort = freePort();
    Path restartLog = workDir.resolve("restart.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(restartPort)), "run")
        .redirectErrorStream(true).redirectOutput(restartLog.toFile()).start();
    waitForHealth("http://127.0.0.1:" + restartPort, restartLog);
  }

  @Test
  void jsonLogLinesRequestIdsAndNoSecretInAnyLog() throws Exception {
    int port = freePort();
    Map<String, String> env = Map.of("PIPELITD_HTTP_PORT", Integer.toString(port), "PIPELITD_LOG_FORMAT", "json");
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(env, "run").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String base = "http://127.0.0.1:" + port;
    waitForHealth(base, log);
    String password = "Sup3r-secret-passphrase";
    Result setup = run(env, password + "\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();

    HttpResponse<String> echoed = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workflows/"))
        .header("Authorization", "Bearer " + key).header("X-Request-Id", "trace-42").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("trace-42", echoed.headers().firstValue("X-Request-Id").orElse(null));
    HttpResponse<String> fresh = call("GET", base + "/api/v1/workflows/", "a-wrong-key", null);
    assertEquals(401, fresh.statusCode());
    assertTrue(fresh.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{16}"));

    // Every kind of secret the daemon handles, through the API and the CLI.
    String llmKey = "sk-live-" + "9f8e7d6c5b4a39281706";
    String gitToken = "ghp_" + "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    assertEquals(201, call("POST", base + "/api/v1/credentials/", key, new JsonObject().put("name", "llm")
        .put("credential_type", "llm").put("detail", new JsonObject().put("api_key", llmKey)).encode()).statusCode());
    assertEquals(201, call("POST", base + "/api/v1/credentials/", key, new JsonObject().put("name", "git")
        .put("credential_type", "git").put("detail", new JsonObject().put("access_token", gitToken)).encode()).statusCode());
    String userPassword = "An0ther-user-passphrase";
    Result user = run(env, userPassword + "\n", "users", "create", "--username", "bob", "--password-stdin");
    assertEquals(0, user.exit(), user.stderr());
    Result bobKey = run(env, null, "keys", "create", "--username", "bob", "--name", "ci");
    assertEquals(0, bobKey.exit(), bobKey.stderr());
    String[] bobLines = bobKey.stdout().strip().split("\n");
    String bobsKey = bobLines[bobLines.length - 1].strip();
    assertEquals(200, call("POST", base + "/api/v1/auth/token/", null, new JsonObject().put("username", "bob")
        .put("password", userPassword).encode()).statusCode());
    assertEquals(401, call("POST", base + "/api/v1/auth/token/", null, new JsonObject().put("username", "bob")
        .put("password", "a-wrong-password-for-bob").encode()).statusCode());
    String fieldKey = Files.readString(workDir.resolve(".env")).lines()
        .filter(line -> line.startsWith("FIELD_ENCRYPTION_KEY=")).findFirst().orElseThrow().substring(21).strip();

    daemon.destroy();
    assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
    String daemonLog = read(log);
    // Every log line of the daemon is one JSON object, and none is in the text format. (Other lines may
    // come from the wrapper script, e.g. Maven's output when it rebuilt the jar first.)
    java.util.regex.Pattern textLogLine = java.util.regex.Pattern.compile(
        "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) .*");
    assertTrue(daemonLog.lines().noneMatch(line -> textLogLine.matcher(line).matches()), daemonLog);
    long jsonLines = daemonLog.lines().filter(line -> line.startsWith("{")).peek(line -> {
      JsonObject entry = new JsonObject(line);
      assertTrue(entry.containsKey("level") && entry.containsKey("formattedMessage"), line);
    }).count();
    assertTrue(jsonLines > 3, daemonLog);
    // The scan: no secret used in this run appears in any log (stdout of `setup`/`keys create`
    // prints a key on purpose; their stderr carries the logs).
    Map<String, String> secrets = Map.of("admin API key", key, "admin password", password, "a presented key",
        "a-wrong-key", "LLM API key", llmKey, "git token", gitToken, "user password", userPassword,
        "wrong password", "a-wrong-password-for-bob", "bob's API key", bobsKey, "FIELD_ENCRYPTION_KEY", fieldKey);
    for (String output : List.of(daemonLog, setup.stderr(), user.stderr(), user.stdout(), bobKey.stderr())) {
      secrets.forEach((what, secret) -> assertFalse(output.contains(secret), what + " was logged"));
    }
  }

  @Test
  void invalidConfigurationExitsWithTwoAndNamesTheKey() throws Exception {
    Result result = run(Map.of("PIPELITD_HTTP_PORT", "eighty"), null, "run");
    assertEquals(2, result.exit());
    assertTrue(result.stderr().contains("PIPELITD_HTTP_PORT"), result.stderr());
    assertFalse(result.stderr().contains("\tat "), "no stack trace: " + result.stderr());
    Result secret = run(Map.of("DATABASE_URL", "mysql://user:hunter2@db/x"), null, "run");
    assertEquals(2, secret.exit());
    assertTrue(secret.stderr().contains("DATABASE_URL"), secret.stderr());
    assertFalse(secret.stderr().contains("hunter2"), "the password must never be printed");
  }
}
