package io.pipelit.pipelitd.bench;

import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The processes under test (pipelitd itself, the naive server) and the rows every bench writes against. */
final class Servers {
  private Servers() {}

  /** A running child JVM; {@code startupSeconds} from launch to its first ready answer. */
  record Child(Process process, int port, double startupSeconds, Path log) implements AutoCloseable {
    long rssKib() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IOException("no VmRSS for pid " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: pipelitd drains and exits
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** The user, key and execution the load writes to. */
  record Seed(String key, String executionId) {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static ProcessBuilder java(List<String> jvmOptions, String mainClass, List<String> args, Path dir) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    // Absolute entries: the child runs in its own folder.
    command.add(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)));
    command.add(mainClass);
    command.addAll(args);
    return withoutPipelitdSettings(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true));
  }

  /** The caller's own pipelitd settings must not reach a server under test. */
  private static ProcessBuilder withoutPipelitdSettings(ProcessBuilder builder) {
    builder.environment().keySet().removeIf(name -> name.startsWith("PIPELITD_") || name.equals("DATABASE_URL")
        || name.equals("FIELD_ENCRYPTION_KEY") || name.startsWith("CHECKPOINTS_"));
    return builder;
  }

  /**
   * {@code scripts/pipelitd run}, as a user starts it: the wrapper's shipped JVM options and its class-data
   * archive, on the built jar, with this JVM's java binary. The repository is {@code -Dpipelitd.root}
   * (scripts/bench/run sets it, and builds the jar and the archive before the bench starts).
   */
  private static ProcessBuilder wrapper(Path dir) {
    String root = System.getProperty("pipelitd.root");
    if (root == null) {
      throw new IllegalStateException("-Dpipelitd.root=<repository> is needed to start scripts/pipelitd");
    }
    ProcessBuilder builder = withoutPipelitdSettings(new ProcessBuilder(
        Path.of(root, "scripts", "pipelitd").toString(), "run").directory(dir.toFile()).redirectErrorStream(true));
    builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return builder;
  }

  /**
   * {@code scripts/pipelitd run} in {@code dir} (an empty folder: first start, key generated, schema
   * created); returns once {@code GET /ready} answers 200.
   */
  static Child startPipelitd(Path dir, String databaseUrl) throws Exception {
    return startPipelitd(dir, databaseUrl, Map.of());
  }

  /** As above, with extra environment (configuration keys) for the daemon. */
  static Child startPipelitd(Path dir, String databaseUrl, Map<String, String> settings) throws Exception {
    Files.createDirectories(dir);
    int port = freePort();
    Path log = dir.resolve("pipelitd.log");
    ProcessBuilder builder = wrapper(dir).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    if (databaseUrl != null) {
      env.put("DATABASE_URL", databaseUrl);
    }
    env.putAll(settings);
    env.put("PIPELITD_HTTP_HOST", "127.0.0.1");
    env.put("PIPELITD_HTTP_PORT", Integer.toString(port));
    long started = System.nanoTime();
    Process process = builder.start();
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = started + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("pipelitd exited with " + process.exitValue() + "; see " + log);
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return new Child(process, port, (System.nanoTime() - started) / 1e9, log);
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(5);
    }
    process.destroyForcibly();
    throw new IllegalStateException("pipelitd not ready within 120 s; see " + log);
  }

  /** The naive server (see {@link NaiveServer}) on a migrated and seeded SQLite file. */
  static Child startNaive(List<String> jvmOptions, Path dir, Path file, String synchronous) throws Exception {
    long started = System.nanoTime();
    Process process = java(jvmOptions, NaiveServer.class.getName(), List.of(file.toString(), synchronous), dir)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        int port = Integer.parseInt(line.substring(6).trim());
        Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }), "naive-output");
        drain.setDaemon(true);
        drain.start();
        return new Child(process, port, (System.nanoTime() - started) / 1e9, null);
      }
    }
    throw new IllegalStateException("the naive server exited before it was ready");
  }

  /**
   * An admin with a key, a workflow and one execution, inserted with plain SQL that both SQLite and
   * PostgreSQL accept (the key is stored hashed, as pipelitd does).
   */
  static Seed seed(Connection c) throws SQLException {
    String key = ApiKeys.generate();
    String user = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    long userId = insert(c, "INSERT INTO user_profiles (username, password_hash, role) VALUES (?, '', 'admin')"
        + " RETURNING id", user);
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO api_keys (user_id, key, name, prefix, is_active) VALUES (?, ?, 'bench', ?, TRUE)")) {
      s.setLong(1, userId);
      s.setString(2, ApiKeys.hash(key));
      s.setString(3, ApiKeys.prefix(key));
      s.executeUpdate();
    }
    long workflowId;
    try (PreparedStatement s = c.prepareStatement(
        "INSERT INTO workflows (name, slug, owner_id) VALUES ('Bench', ?, ?) RETURNING id")) {
      s.setString(1, user);
      s.setLong(2, userId);
      workflowId = single(s);
    }
    String executionId = UUID.randomUUID().toString();
    try (PreparedStatement s = c.prepareStatement("INSERT INTO workflow_executions (execution_id, workflow_id,"
        + " user_profile_id, thread_id) VALUES (?, ?, ?, ?)")) {
      s.setString(1, executionId);
      s.setLong(2, workflowId);
      s.setLong(3, userId);
      s.setString(4, "bench");
      s.executeUpdate();
    }
    return new Seed(key, executionId);
  }

  private static long insert(Connection c, String sql, String value) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, value);
      return single(s);
    }
  }

  private static long single(PreparedStatement s) throws SQLException {
    try (ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
