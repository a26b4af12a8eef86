package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The plugin mechanism with real artifacts: the packaged pipelitd jar (which does not contain the plugin)
 * run through scripts/pipelitd, the audit-log plugin's own jar copied into {@code plugins/} of a fresh
 * working directory, and {@code PIPELITD_DEPLOY} naming it. The jar's path comes from the
 * {@code pipelitd.plugin.audit-log.jar} property (set by the launcher pom; the reactor packages the plugin
 * module before the launcher).
 */
class PluginIT extends ProcessTestBase {
  static final Path PLUGIN_JAR = Path.of(System.getProperty("pipelitd.plugin.audit-log.jar",
      "../plugins/audit-log/target/pipelitd-plugin-audit-log-0.1.0-SNAPSHOT.jar")).toAbsolutePath().normalize();

  @Test
  void theAuditLogPluginJarInPluginsFollowsTheChangeEvents() throws Exception {
    assertTrue(Files.isRegularFile(PLUGIN_JAR), "package plugins/audit-log first: " + PLUGIN_JAR);

    Result unknown = run(Map.of("PIPELITD_DEPLOY", "audit-log"), null, "run", "--http-port", "0");
    assertEquals(2, unknown.exit(), unknown.stderr());
    assertTrue(unknown.stderr().contains("unknown verticle 'audit-log' (known: none"), unknown.stderr());

    Files.copy(PLUGIN_JAR, Files.createDirectories(workDir.resolve("plugins")).resolve(PLUGIN_JAR.getFileName()));
    Result typo = run(Map.of("PIPELITD_DEPLOY", "audit-logs"), null, "run", "--http-port", "0");
    assertEquals(2, typo.exit(), typo.stderr());
    assertTrue(typo.stderr().contains("(known: audit-log)"), typo.stderr());

    Result setup = run(Map.of(), "a long enough password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();

    int port = freePort();
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(port), "PIPELITD_DEPLOY", "audit-log:1",
        "PIPELITD_AUDIT_LOG_FILE", "var/audit.jsonl"), "run")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String base = "http://127.0.0.1:" + port;
    waitForHealth(base, log);
    assertTrue(read(log).contains("plugin verticle audit-log deployed"), read(log));

    assertEquals(201, call("POST", base + "/api/v1/workflows/", key, "{\"name\":\"P\",\"slug\":\"p\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/p/nodes/", key,
        "{\"node_id\":\"chat\",\"component_type\":\"trigger_chat\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/p/nodes/", key,
        "{\"node_id\":\"agent\",\"component_type\":\"agent\"}").statusCode());
    assertEquals(201, call("POST", base + "/api/v1/workflows/p/edges/", key,
        "{\"source_node_id\":\"chat\",\"target_node_id\":\"agent\"}").statusCode());
    assertEquals(204, call("DELETE", base + "/api/v1/workflows/p/", key, null).statusCode());

    daemon.destroy(); // SIGTERM: the plugin is undeployed first, its file fsynced and closed
    assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon did not stop on SIGTERM");
    assertEquals(0, daemon.exitValue(), read(log));

    Path audit = workDir.resolve("var/audit.jsonl");
    List<JsonObject> events = Files.readAllLines(audit).stream().map(JsonObject::new).toList();
    assertEquals(List.of("node_created", "node_created", "edge_created", "workflow_deleted"),
        events.stream().map(e -> e.getString("type")).toList(), read(audit));
    events.forEach(e -> assertEquals("p", e.getString("workflow_slug")));
    assertEquals("agent", events.get(1).getJsonObject("data").getString("node_id"));
  }
}
