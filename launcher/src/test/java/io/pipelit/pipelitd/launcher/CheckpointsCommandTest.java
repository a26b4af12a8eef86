package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pipelitd checkpoints prune} in-process against a SQLite checkpoint file in a temp folder. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckpointsCommandTest {

  @TempDir
  Path dir;

  record Outcome(int exitCode, String out, String err) {}

  Outcome execute(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(args, LaunchContext.of(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), Map.of(), dir));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pruneWithoutAStoreCountsZeroAndCreatesNothing() {
    Outcome outcome = execute("checkpoints", "prune", "--keep-last", "2", "--dry-run");
    assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.err());
    assertEquals(new JsonObject().put("deleted_checkpoints", 0).put("deleted_writes", 0).put("threads", 0)
        .put("dry_run", true), new JsonObject(outcome.out().strip()));
    assertFalse(dir.resolve("platform/checkpoints.db").toFile().exists());
  }

  @Test
  void pruneDeletesBeyondKeepLastButKeepsTheRoot() throws Exception {
    Path file = dir.resolve("platform/checkpoints.db");
    file.getParent().toFile().mkdirs();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '',"
          + " checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,"
          + " PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))");
      s.execute("CREATE TABLE writes (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '',"
          + " checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL,"
          + " type TEXT, value BLOB, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))");
      s.execute("INSERT INTO checkpoints VALUES ('t', '', 'c1', NULL, 'msgpack', x'00', '{}'),"
          + " ('t', '', 'c2', 'c1', 'msgpack', x'00', '{}'), ('t', '', 'c3', 'c2', 'msgpack', x'00', '{}'),"
          + " ('t', '', 'c4', 'c3', 'msgpack', x'00', '{}')");
      s.execute("INSERT INTO writes VALUES ('t', '', 'c2', 'task', 0, 'messages', 'msgpack', x'00')");
    }
    Outcome dry = execute("checkpoints", "prune", "--keep-last", "1", "--dry-run");
    assertEquals(ExitCodes.OK, dry.exitCode(), dry.err());
    assertEquals(2, new JsonObject(dry.out().strip()).getInteger("deleted_checkpoints"));

    Outcome done = execute("checkpoints", "prune", "--keep-last", "1", "--thread", "t");
    assertEquals(ExitCodes.OK, done.exitCode(), done.err());
    JsonObject result = new JsonObject(done.out().strip());
    assertEquals(2, result.getInteger("deleted_checkpoints"));
    assertEquals(1, result.getInteger("deleted_writes"));
  }

  @Test
  void pruneWithoutARuleIsAUsageError() {
    Outcome outcome = execute("checkpoints", "prune");
    assertEquals(ExitCodes.USAGE, outcome.exitCode());
    assertTrue(outcome.err().contains("--keep-last"), outcome.err());
  }
}
