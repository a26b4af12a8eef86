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
 * The Python client ({@code scripts/pipelit_bridge.py}, standard library only) against a real daemon
 * process with the bridge on: requests with 16 in flight, followed events in order without gaps, store
 * failures and refusals as exceptions with pipelitd's error codes; and the client's command line.
 */
class BridgeClientIT extends ProcessTestBase {
  static final Path ENGINE = Path.of("src/test/resources/bridge/engine_client.py").toAbsolutePath();

  @Test
  void pipelitsEngineCanWriteAndFollowItsDataOverTheBridgeFromPython() throws Exception {
    Result setup = run(Map.of(), "a long enough password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();

    int httpPort = freePort();
    int bridgePort = freePort();
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(httpPort),
        "PIPELITD_BRIDGE_PORT", Integer.toString(bridgePort)), "run")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    waitForHealth("http://127.0.0.1:" + httpPort, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!read(log).contains(", bridge 127.0.0.1:" + bridgePort) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(read(log).contains(", bridge 127.0.0.1:" + bridgePort), read(log));

    Result engine = python(List.of(ENGINE.toString(), ROOT.resolve("scripts").toString(),
        Integer.toString(bridgePort), key), Map.of());
    assertEquals(0, engine.exit(), engine.stdout() + engine.stderr());
    JsonObject summary = new JsonObject(engine.stdout().strip());
    assertEquals(16, summary.getInteger("nodes"));
    assertEquals(64, summary.getInteger("logs"));
    assertTrue(summary.getInteger("events") >= 17, summary.encode());

    // The command line: the key from PIPELIT_API_KEY, the answer as JSON, failures as exit 1 / usage as 2.
    String client = ROOT.resolve("scripts/pipelit_bridge.py").toString();
    Result listed = python(List.of(client, "--port", Integer.toString(bridgePort), "request",
        "pipelit.store.workflows.list", "{\"limit\": 5}"), Map.of("PIPELIT_API_KEY", key));
    assertEquals(0, listed.exit(), listed.stderr());
    assertEquals("engine", new JsonObject(listed.stdout()).getJsonArray("items").getJsonObject(0).getString("slug"));
    Result missing = python(List.of(client, "--port", Integer.toString(bridgePort), "request",
        "pipelit.store.workflows.get", "{\"slug\": \"nope\"}"), Map.of("PIPELIT_API_KEY", key));
    assertEquals(1, missing.exit());
    assertTrue(missing.stderr().contains("Workflow not found. (4040)"), missing.stderr());
    Result notJson = python(List.of(client, "--port", Integer.toString(bridgePort), "request",
        "pipelit.store.workflows.list", "{limit"), Map.of("PIPELIT_API_KEY", key));
    assertEquals(2, notJson.exit());
    assertTrue(notJson.stderr().contains("not JSON"), notJson.stderr());
    assertTrue(!read(log).contains(key), "the key never reaches the log");
  }

  private Result python(List<String> args, Map<String, String> env) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add("python3");
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(env);
    Path out = Files.createTempFile(workDir, "py", ".out");
    Path err = Files.createTempFile(workDir, "py", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "python did not finish: " + args);
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
