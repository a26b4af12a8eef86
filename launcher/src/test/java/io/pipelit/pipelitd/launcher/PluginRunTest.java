package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} in-process with the audit-log plugin loaded from a {@code plugins/} folder of the working
 * directory, as production loads it: the plugin is not on the test classpath (see the launcher pom); its
 * compiled classes (the {@code pipelitd.plugin.audit-log.classes} property) are packed into a jar in
 * {@code plugins/} first.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginRunTest {
  static final Path PLUGIN_CLASSES = Path.of(System.getProperty("pipelitd.plugin.audit-log.classes",
      "../plugins/audit-log/target/classes")).toAbsolutePath().normalize();

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {}

  @BeforeEach
  void pluginJarInThePluginsFolder() throws IOException {
    assertTrue(Files.isDirectory(PLUGIN_CLASSES), "build plugins/audit-log first: " + PLUGIN_CLASSES);
    Path jar = Files.createDirectories(dir.resolve("plugins")).resolve("pipelitd-plugin-audit-log.jar");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.walk(PLUGIN_CLASSES)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(PLUGIN_CLASSES.relativize(f).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
  }

  LaunchContext context(ByteArrayOutputStream out, ByteArrayOutputStream err, Map<String, String> env) {
    return LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, dir);
  }

  Outcome execute(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, context(out, err, env));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  List<String> errorLines(Outcome outcome) {
    return outcome.err().lines().filter(l -> l.startsWith("pipelitd: ")).toList();
  }

  @Test
  void anUnknownNameExitsTwoWithOneLineListingTheKnownNames() {
    Outcome outcome = execute(Map.of("PIPELITD_DEPLOY", "audit-log,auditlog"), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.err());
    assertEquals(List.of("pipelitd: invalid configuration: PIPELITD_DEPLOY names an unknown verticle 'auditlog'"
        + " (known: audit-log)"), errorLines(outcome), outcome.err());
    assertFalse(Files.exists(dir.resolve("platform")), "nothing opened before the check");
  }

  @Test
  void withoutThePluginsFolderNoNameIsKnown() throws IOException {
    Files.writeString(Files.createDirectories(dir.resolve("conf")).resolve("pipelitd.json"),
        "{\"PIPELITD_DEPLOY\": [\"audit-log\"], \"PIPELITD_PLUGINS_DIR\": \"elsewhere\"}");
    Outcome outcome = execute(Map.of(), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.err());
    assertEquals(1, errorLines(outcome).size(), outcome.err());
    assertTrue(outcome.err().contains("'audit-log' (known: none"), outcome.err());
  }

  @Test
  void aBadInstanceCountExitsTwo() throws IOException {
    Files.writeString(Files.createDirectories(dir.resolve("conf")).resolve("pipelitd.json"),
        "{\"PIPELITD_DEPLOY\": [\"audit-log:2\"]}");
    Outcome tooMany = execute(Map.of(), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, tooMany.exitCode(), tooMany.err());
    assertTrue(tooMany.err().contains("at most 1"), tooMany.err());
    Outcome notANumber = execute(Map.of("PIPELITD_DEPLOY", "audit-log:two"), "run", "--http-port", "0");
    assertEquals(ExitCodes.USAGE, notANumber.exitCode(), notANumber.err());
    assertEquals(1, errorLines(notANumber).size(), notANumber.err());
    assertTrue(notANumber.err().contains("PIPELITD_DEPLOY"), notANumber.err());
  }

  @Test
  void aPluginVerticleThatCannotStartExitsOneWithOneLine() throws Exception {
    // The audit file's path is a folder: opening it fails, after the core verticles have started.
    Outcome outcome = execute(Map.of("PIPELITD_DEPLOY", "audit-log", "PIPELITD_AUDIT_LOG_FILE", "plugins"),
        "run", "--http-port", "0");
    assertEquals(ExitCodes.FAILURE, outcome.exitCode(), outcome.err());
    List<String> lines = errorLines(outcome);
    assertEquals(1, lines.size(), outcome.err());
    assertTrue(lines.get(0).startsWith("pipelitd: plugin verticle audit-log failed to start: "), lines.get(0));
    assertTrue(lines.get(0).contains("PIPELITD_AUDIT_LOG_FILE"), lines.get(0));
  }

  @Test
  void theAuditLogAppendsOneLinePerChangeEventInCommitOrder() throws Exception {
    Outcome setup = execute(Map.of(), "setup", "--username", "admin", "--password", "correct horse battery");
    assertEquals(ExitCodes.OK, setup.exitCode(), setup.err());
    List<String> setupLines = setup.out().lines().toList();
    String key = setupLines.get(setupLines.size() - 1).strip();
    Files.writeString(Files.createDirectories(dir.resolve("conf")).resolve("pipelitd.json"),
        "{\"PIPELITD_DEPLOY\": [\"audit-log:1\"]}");

    CompletableFuture<Daemon> ready = new CompletableFuture<>();
    CompletableFuture<Void> stop = new CompletableFuture<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LaunchContext context = context(out, err, Map.of()).withStopSignal(stop).withReadyListener(ready::complete);
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
        () -> Main.execute(new String[] {"run", "--http-port", "0"}, context));
    Daemon daemon = ready.get(60, TimeUnit.SECONDS);
    Path auditLog = dir.resolve("audit/audit.log");
    assertTrue(Files.exists(auditLog), "created at start");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(auditLog)));

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String base = daemon.httpUrl() + "/api/v1/workflows/";
    assertEquals(201, send(http, key, "POST", base, "{\"name\":\"Audited\",\"slug\":\"audited\"}").statusCode());
    assertEquals(201, send(http, key, "POST", base + "audited/nodes/",
        "{\"node_id\":\"chat\",\"component_type\":\"trigger_chat\"}").statusCode());
    assertEquals(201, send(http, key, "POST", base + "audited/nodes/",
        "{\"node_id\":\"agent\",\"component_type\":\"agent\"}").statusCode());
    assertEquals(200, send(http, key, "PATCH", base + "audited/nodes/agent/", "{\"label\":\"Agent\"}").statusCode());
    assertEquals(204, send(http, key, "DELETE", base + "audited/nodes/chat/", null).statusCode());
    assertEquals(200, send(http, key, "PATCH", base + "audited/", "{\"name\":\"Renamed\"}").statusCode());
    // Many writes at once: the writer orders them, and the log follows the commit order.
    List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(sendAsync(http, key, "POST", base + "audited/nodes/",
          "{\"node_id\":\"n" + i + "\",\"component_type\":\"agent\"}"));
    }
    for (CompletableFuture<HttpResponse<String>> response : burst) {
      assertEquals(201, response.get(60, TimeUnit.SECONDS).statusCode());
    }
    List<String> expectedTypes = new ArrayList<>(List.of("node_created", "node_created", "node_updated",
        "node_deleted", "workflow_updated"));
    for (int i = 0; i < 20; i++) {
      expectedTypes.add("node_created");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Files.readAllLines(auditLog).size() < expectedTypes.size() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    stop.complete(null);
    assertEquals(ExitCodes.OK, exit.get(60, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));

    List<JsonObject> lines = Files.readAllLines(auditLog).stream().map(JsonObject::new).toList();
    assertEquals(expectedTypes, lines.stream().map(l -> l.getString("type")).toList());
    for (JsonObject line : lines) {
      assertEquals(List.of("ts", "type", "workflow_slug", "data"), List.copyOf(line.fieldNames()));
      assertEquals("audited", line.getString("workflow_slug"));
      assertNotNull(java.time.Instant.parse(line.getString("ts")));
    }
    assertEquals("chat", lines.get(0).getJsonObject("data").getString("node_id"));
    assertEquals("Agent", lines.get(2).getJsonObject("data").getString("label"));
    assertEquals(new JsonObject().put("node_id", "chat"), lines.get(3).getJsonObject("data"));
    assertEquals("Renamed", lines.get(4).getJsonObject("data").getString("name"));
    // Commit order: the writer gives node rows increasing ids in commit order.
    List<Long> ids = lines.subList(5, lines.size()).stream().map(l -> l.getJsonObject("data").getLong("id")).toList();
    for (int i = 1; i < ids.size(); i++) {
      assertTrue(ids.get(i) > ids.get(i - 1), "commit order: " + ids);
    }
  }

  static HttpResponse<String> send(HttpClient http, String key, String method, String url, String body)
      throws Exception {
    return sendAsync(http, key, method, url, body).get(60, TimeUnit.SECONDS);
  }

  static CompletableFuture<HttpResponse<String>> sendAsync(HttpClient http, String key, String method, String url,
      String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + key);
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
