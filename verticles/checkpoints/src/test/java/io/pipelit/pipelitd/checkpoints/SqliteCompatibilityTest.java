package io.pipelit.pipelitd.checkpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.CheckpointAddresses;
import io.pipelit.pipelitd.contracts.ErrorCode;
import io.pipelit.pipelitd.contracts.Identity;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQLite specifics: the file is created by the first write only, and a checkpoints.db made by
 * LangGraph's SqliteSaver (its exact DDL, its row encodings) is served as it is and stays usable by
 * LangGraph afterwards.
 */
class SqliteCompatibilityTest {
  static final DeliveryOptions ADMIN = new Identity(1, Identity.ADMIN).toDeliveryOptions();

  /** langgraph-checkpoint-sqlite's setup(), before task_path existed. */
  static final String[] LANGGRAPH_DDL = {
      "PRAGMA journal_mode=WAL",
      "CREATE TABLE IF NOT EXISTS checkpoints (\n"
          + "    thread_id TEXT NOT NULL,\n"
          + "    checkpoint_ns TEXT NOT NULL DEFAULT '',\n"
          + "    checkpoint_id TEXT NOT NULL,\n"
          + "    parent_checkpoint_id TEXT,\n"
          + "    type TEXT,\n"
          + "    checkpoint BLOB,\n"
          + "    metadata BLOB,\n"
          + "    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)\n"
          + ");",
      "CREATE TABLE IF NOT EXISTS writes (\n"
          + "    thread_id TEXT NOT NULL,\n"
          + "    checkpoint_ns TEXT NOT NULL DEFAULT '',\n"
          + "    checkpoint_id TEXT NOT NULL,\n"
          + "    task_id TEXT NOT NULL,\n"
          + "    idx INTEGER NOT NULL,\n"
          + "    channel TEXT NOT NULL,\n"
          + "    type TEXT,\n"
          + "    value BLOB,\n"
          + "    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)\n"
          + ");"};

  Path folder;
  Path file;
  Vertx vertx;

  @BeforeEach
  void setUp() throws Exception {
    folder = Files.createTempDirectory("pipelitd-checkpoints-sqlite-");
    file = folder.resolve("platform").resolve("checkpoints.db");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }

  void deploy() throws Exception {
    vertx = Vertx.vertx();
    vertx.deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, "sqlite:///" + file.toAbsolutePath())
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL"))).await(60, TimeUnit.SECONDS);
  }

  JsonObject call(String address, JsonObject request) throws Exception {
    return vertx.eventBus().<JsonObject>request(address, request, ADMIN).await(60, TimeUnit.SECONDS).body();
  }

  Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFileIsCreatedByTheFirstWriteNotByStartReadsOrDeletes() throws Exception {
    deploy();
    assertFalse(Files.exists(file), "created at start");

    try {
      call(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", "t"));
    } catch (ReplyException e) {
      assertEquals(ErrorCode.NOT_FOUND.value(), e.failureCode());
    }
    assertEquals(0, call(CheckpointAddresses.LIST, new JsonObject().put("thread_id", "t")).getLong("total"));
    assertEquals(0, call(CheckpointAddresses.DELETE_THREAD, new JsonObject().put("thread_id", "t"))
        .getLong("deleted_checkpoints"));
    assertEquals(0, call(CheckpointAddresses.PRUNE, new JsonObject().put("body",
        new JsonObject().put("keep_last", 1))).getLong("deleted_checkpoints"));
    assertEquals(0, call(CheckpointAddresses.STATS, new JsonObject()).getLong("total"));
    assertFalse(Files.exists(file), "created by a read");

    call(CheckpointAddresses.PUT, new JsonObject().put("thread_id", "t").put("checkpoint_id", Uuid6.now())
        .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", b64("first"))));
    assertTrue(Files.exists(file));
    assertEquals(1, call(CheckpointAddresses.LIST, new JsonObject().put("thread_id", "t")).getLong("total"));
  }

  @Test
  void theScheduledPruneAppliesTheConfiguredRule() throws Exception {
    vertx = Vertx.vertx();
    vertx.deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, "sqlite:///" + file.toAbsolutePath())
        .put(ConfigKeys.CHECKPOINTS_PRUNE_SCHEDULE_SECONDS, 1)
        .put(ConfigKeys.CHECKPOINTS_KEEP_LAST, 1))).await(60, TimeUnit.SECONDS);
    String parent = null;
    for (int i = 0; i < 4; i++) {
      String id = Uuid6.now();
      call(CheckpointAddresses.PUT, new JsonObject().put("thread_id", "t").put("checkpoint_id", id)
          .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", b64("s" + i))
              .put("parent_checkpoint_id", parent)));
      parent = id;
    }
    long deadline = System.currentTimeMillis() + 10_000;
    long total;
    do {
      Thread.sleep(100);
      total = call(CheckpointAddresses.LIST, new JsonObject().put("thread_id", "t")).getLong("total");
    } while (total > 2 && System.currentTimeMillis() < deadline);
    // The newest and the root remain.
    assertEquals(2, total);
    assertEquals(parent, call(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", "t"))
        .getString("checkpoint_id"));
  }

  @Test
  void anExistingLangGraphDatabaseIsReadAsItIsAndStaysUsableByLangGraph() throws Exception {
    Files.createDirectories(file.getParent());
    String c1 = "1ef4f797-8335-6428-8000-8a1503f9b875";
    String c2 = "1ef4f797-8336-6f1a-8001-8a1503f9b875";
    byte[] blob1 = {(byte) 0x85, (byte) 0xa1, 'v', 0x01, 0x00, (byte) 0xff};
    byte[] blob2 = {(byte) 0x86, 0x00, 0x01, 0x02};
    try (Connection c = connect()) {
      try (Statement s = c.createStatement()) {
        for (String ddl : LANGGRAPH_DDL) {
          s.execute(ddl);
        }
      }
      try (PreparedStatement s = c.prepareStatement("INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns,"
          + " checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, "1:5");
        s.setString(2, "");
        s.setString(3, c1);
        s.setString(4, null);
        s.setString(5, "msgpack");
        s.setBytes(6, blob1);
        s.setBytes(7, "{\"source\": \"input\", \"step\": -1, \"parents\": {}}".getBytes(StandardCharsets.UTF_8));
        s.executeUpdate();
        s.setString(3, c2);
        s.setString(4, c1);
        s.setBytes(6, blob2);
        // Older writers stored metadata as TEXT: it must read the same.
        s.setString(7, "{\"source\": \"loop\", \"step\": 0, \"writes\": {\"agent\": {\"messages\": []}}}");
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("INSERT OR IGNORE INTO writes (thread_id, checkpoint_ns,"
          + " checkpoint_id, task_id, idx, channel, type, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, "1:5");
        s.setString(2, "");
        s.setString(3, c2);
        s.setString(4, "task-1");
        s.setInt(5, 0);
        s.setString(6, "messages");
        s.setString(7, "msgpack");
        s.setBytes(8, new byte[] {1, 2, 3});
        s.executeUpdate();
      }
    }

    deploy();
    JsonObject latest = call(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", "1:5"));
    assertEquals(c2, latest.getString("checkpoint_id"));
    assertEquals(c1, latest.getString("parent_checkpoint_id"));
    assertEquals("msgpack", latest.getString("type"));
    assertEquals(Base64.getEncoder().encodeToString(blob2), latest.getString("checkpoint"));
    assertEquals("loop", latest.getJsonObject("metadata").getString("source"));
    JsonObject pending = latest.getJsonArray("pending_writes").getJsonObject(0);
    assertEquals("task-1", pending.getString("task_id"));
    assertEquals("", pending.getString("task_path"));
    assertEquals(Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}), pending.getString("value"));

    JsonObject listed = call(CheckpointAddresses.LIST, new JsonObject().put("thread_id", "1:5")
        .put("filter", new JsonObject().put("source", "input")));
    assertEquals(1, listed.getLong("total"));
    assertEquals(-1, listed.getJsonArray("items").getJsonObject(0).getJsonObject("metadata").getInteger("step"));

    // pipelitd writes next to LangGraph's rows ...
    String c3 = Uuid6.now();
    call(CheckpointAddresses.PUT, new JsonObject().put("thread_id", "1:5").put("checkpoint_id", c3)
        .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", b64("third")).put("parent_checkpoint_id", c2)
            .put("metadata", new JsonObject().put("source", "loop").put("step", 1))));
    call(CheckpointAddresses.PUT_WRITES, new JsonObject().put("thread_id", "1:5").put("checkpoint_id", c3)
        .put("body", new JsonObject().put("task_id", "task-2").put("writes", new JsonArray()
            .add(new JsonObject().put("channel", "messages").put("type", "msgpack").put("value", b64("m"))))));
    vertx.close().await(60, TimeUnit.SECONDS);
    vertx = null;

    // ... and LangGraph's own statements still work on the file: no foreign tables, the same columns
    // plus task_path, metadata as UTF-8 JSON bytes in a BLOB.
    try (Connection c = connect(); Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      assertEquals(List.of("checkpoints", "writes"), tables);
      try (ResultSet rows = s.executeQuery("SELECT thread_id, checkpoint_id, parent_checkpoint_id, type, checkpoint,"
          + " metadata, typeof(metadata) FROM checkpoints WHERE thread_id = '1:5' AND checkpoint_ns = ''"
          + " ORDER BY checkpoint_id DESC LIMIT 1")) {
        assertTrue(rows.next());
        assertEquals(c3, rows.getString("checkpoint_id"));
        assertEquals(c2, rows.getString("parent_checkpoint_id"));
        assertEquals("third", new String(rows.getBytes("checkpoint"), StandardCharsets.UTF_8));
        assertEquals("blob", rows.getString(7));
        assertEquals(1, new JsonObject(new String(rows.getBytes("metadata"), StandardCharsets.UTF_8)).getInteger("step"));
      }
      try (ResultSet rows = s.executeQuery("SELECT task_id, channel, type, value FROM writes WHERE thread_id = '1:5'"
          + " AND checkpoint_ns = '' AND checkpoint_id = '" + c3 + "' ORDER BY task_id, idx")) {
        assertTrue(rows.next());
        assertEquals("task-2", rows.getString("task_id"));
        assertEquals("m", new String(rows.getBytes("value"), StandardCharsets.UTF_8));
      }
      // LangGraph's newer put_writes names task_path; its older one does not: both insert.
      s.executeUpdate("INSERT OR REPLACE INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path,"
          + " idx, channel, type, value) VALUES ('1:5', '', '" + c3 + "', 'task-3', '~x', -1, '__error__', 'msgpack', x'00')");
      s.executeUpdate("INSERT OR IGNORE INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id,"
          + " idx, channel, type, value) VALUES ('1:5', '', '" + c3 + "', 'task-4', 0, 'messages', 'msgpack', x'00')");
      try (ResultSet rows = s.executeQuery("SELECT COUNT(*) FROM writes")) {
        rows.next();
        assertEquals(4, rows.getInt(1));
      }
      // The journal mode stays WAL.
      try (ResultSet rows = s.executeQuery("PRAGMA journal_mode")) {
        rows.next();
        assertEquals("wal", rows.getString(1));
      }
    }

    // Opening it again (schema check on an up-to-date file) changes nothing.
    deploy();
    assertEquals(3, call(CheckpointAddresses.LIST, new JsonObject().put("thread_id", "1:5")).getLong("total"));
  }
}
