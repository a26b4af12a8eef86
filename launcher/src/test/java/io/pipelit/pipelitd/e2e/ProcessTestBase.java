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
 * Real pipelitd processes for end-to-end tests: each test gets a fresh working directory, runs
 * scripts/pipelitd there (the packaged jar), speaks HTTP/1.1 to it, and any daemon it started is
 * stopped afterwards.
 */
abstract class ProcessTestBase {
  static final Path ROOT = Path.of(System.getProperty("pipelitd.root", "..")).toAbsolutePath().normalize();
  static final Path SCRIPT = ROOT.resolve("scripts/pipelitd");

  @TempDir
  Path workDir;
  Process daemon;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null && daemon.isAlive()) {
      daemon.destroy();
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
    }
  }

  ProcessBuilder pipelitd(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>();
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("PIPELITD_") || k.equals("DATABASE_URL"));
    builder.environment().putAll(env);
    return builder;
  }

  /** Runs a command to completion: exit code, stdout, stderr. */
  Result run(Map<String, String> env, String stdin, String... args) throws Exception {
    Path out = workDir.resolve("out.txt");
    Path err = workDir.resolve("err.txt");
    Process process = pipelitd(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "command did not finish: " + List.of(args));
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  record Result(int exit, String stdout, String stderr) {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  HttpResponse<String> call(String method, String url, String key, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }


  void waitForHealth(String base, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      assertTrue(daemon.isAlive(), () -> "daemon exited: " + read(log));
      try {
        HttpResponse<String> health = call("GET", base + "/health", null, null);
        if (health.statusCode() == 200 && new JsonObject(health.body()).getString("status").equals("ok")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("daemon not healthy within 120 s: " + read(log));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
