package io.pipelit.pipelitd.checkpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CheckpointVerticle deployed for real, spoken to over the event bus, on a fresh SQLite file and on a
 * fresh PostgreSQL database: every operation, LangGraph's semantics, pruning, concurrency, bad input.
 */
@ParameterizedClass(name = "[{0}]")
@EnumSource(CheckpointVerticleTest.Backend.class)
class CheckpointVerticleTest {

  enum Backend { SQLITE, POSTGRESQL }

  /** Small enough to test 413 cheaply, large enough that a blob near it is decoded on a worker thread. */
  static final long MAX_BYTES = 512 * 1024;
  static final DeliveryOptions ADMIN = new Identity(1, Identity.ADMIN).toDeliveryOptions();
  static final DeliveryOptions NORMAL = new Identity(2, Identity.NORMAL).toDeliveryOptions();

  @Parameter
  Backend backend;

  Vertx vertx;
  Path folder;
  String url;

  @BeforeEach
  void deploy() throws Exception {
    folder = Files.createTempDirectory("pipelitd-checkpoints-");
    url = backend == Backend.SQLITE
        ? "sqlite:///" + folder.resolve("platform/checkpoints.db").toAbsolutePath()
        : TestPostgres.freshUrl();
    vertx = Vertx.vertx();
    vertx.deployVerticle(new CheckpointVerticle(), new DeploymentOptions().setConfig(new JsonObject()
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, url)
        .put(ConfigKeys.CHECKPOINTS_MAX_BYTES, MAX_BYTES)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL"))).await(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(60, TimeUnit.SECONDS);
  }

  // --- helpers ------------------------------------------------------------------------------------

  JsonObject call(String address, JsonObject request) {
    try {
      return vertx.eventBus().<JsonObject>request(address, request, ADMIN).await(60, TimeUnit.SECONDS).body();
    } catch (Exception e) {
      throw new AssertionError(address + " failed: " + e, e);
    }
  }

  /** The failure code of a request that must fail. */
  int failure(String address, JsonObject request, DeliveryOptions options) {
    try {
      vertx.eventBus().request(address, request, options).await(60, TimeUnit.SECONDS);
    } catch (ReplyException e) {
      return e.failureCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return fail(address + " succeeded, a failure was expected");
  }

  int failure(String address, JsonObject request) {
    return failure(address, request, ADMIN);
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String text(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  JsonObject put(String thread, String ns, String id, String parent, JsonObject metadata, String payload) {
    JsonObject body = new JsonObject().put("type", "msgpack").put("checkpoint", b64(payload))
        .put("metadata", metadata).put("parent_checkpoint_id", parent);
    return call(CheckpointAddresses.PUT, new JsonObject().put("thread_id", thread).put("ns", ns)
        .put("checkpoint_id", id).put("body", body));
  }

  JsonObject put(String thread, String id, String parent) {
    return put(thread, "", id, parent, new JsonObject().put("source", "loop"), "state of " + id);
  }

  JsonObject writes(String thread, String id, String taskId, JsonArray writes) {
    return call(CheckpointAddresses.PUT_WRITES, new JsonObject().put("thread_id", thread).put("checkpoint_id", id)
        .put("body", new JsonObject().put("task_id", taskId).put("task_path", "~a").put("writes", writes)));
  }

  static JsonObject write(String channel, String value) {
    return new JsonObject().put("channel", channel).put("type", "msgpack").put("value", b64(value));
  }

  JsonObject latest(String thread) {
    return call(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", thread));
  }

  JsonObject list(JsonObject request) {
    return call(CheckpointAddresses.LIST, request);
  }

  List<String> ids(JsonObject listReply) {
    List<String> ids = new ArrayList<>();
    for (Object item : listReply.getJsonArray("items")) {
      ids.add(((JsonObject) item).getString("checkpoint_id"));
    }
    return ids;
  }

  Connection connect() throws SQLException {
    return backend == Backend.SQLITE
        ? DriverManager.getConnection("jdbc:sqlite:" + folder.resolve("platform/checkpoints.db"))
        : TestPostgres.connect(url);
  }

  long count(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  // --- round trips --------------------------------------------------------------------------------

  @Test
  void putThenGetTupleReturnsWhatWasStored() {
    String c1 = Uuid6.now();
    String c2 = Uuid6.now();
    put("1:7", c1, null);
    JsonObject reply = put("1:7", "", c2, c1, new JsonObject().put("source", "loop").put("step", 1)
        .put("parents", new JsonObject()), "second\u0000state");
    assertEquals(new JsonObject().put("thread_id", "1:7").put("checkpoint_ns", "").put("checkpoint_id", c2), reply);

    JsonObject latest = latest("1:7");
    assertEquals(c2, latest.getString("checkpoint_id"));
    assertEquals(c1, latest.getString("parent_checkpoint_id"));
    assertEquals("", latest.getString("checkpoint_ns"));
    assertEquals("msgpack", latest.getString("type"));
    assertEquals("second\u0000state", text(latest.getString("checkpoint")));
    assertEquals(new JsonObject().put("source", "loop").put("step", 1).put("parents", new JsonObject()),
        latest.getJsonObject("metadata"));
    assertEquals(new JsonArray(), latest.getJsonArray("pending_writes"));
    assertEquals(12, latest.getInteger("blob_size"));

    JsonObject first = call(CheckpointAddresses.GET_TUPLE, new JsonObject().put("thread_id", "1:7")
        .put("checkpoint_id", c1));
    assertEquals(c1, first.getString("checkpoint_id"));
    assertNull(first.getString("parent_checkpoint_id"));

    assertEquals(ErrorCode.NOT_FOUND.value(), failure(CheckpointAddresses.GET_TUPLE,
        new JsonObject().put("thread_id", "1:7").put("checkpoint_id", "nope")));
    assertEquals(ErrorCode.NOT_FOUND.value(), failure(CheckpointAddresses.GET_TUPLE,
        new JsonObject().put("thread_id", "other")));
    // Namespaces are separate: nothing in "sub" yet.
    assertEquals(ErrorCode.NOT_FOUND.value(), failure(CheckpointAddresses.GET_TUPLE,
        new JsonObject().put("thread_id", "1:7").put("ns", "sub")));
  }

  @Test
  void putIsAnUpsertByPrimaryKey() throws Exception {
    String id = Uuid6.now();
    put("t", "", id, null, new JsonObject().put("step", 1), "one");
    put("t", "", id, null, new JsonObject().put("step", 2), "two");
    JsonObject latest = latest("t");
    assertEquals("two", text(latest.getString("checkpoint")));
    assertEquals(2, latest.getJsonObject("metadata").getInteger("step"));
    assertEquals(1, count("SELECT COUNT(*) FROM checkpoints"));
  }

  @Test
  void listIsNewestFirstWithNamespaceBeforeLimitAndMetadataFilters() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = Uuid6.now();
      ids.add(id);
      put("t", "", id, i == 0 ? null : ids.get(i - 1),
          new JsonObject().put("source", i == 0 ? "input" : "loop").put("step", i - 1)
              .put("writes", i == 2 ? new JsonObject().put("agent", true) : null), "s" + i);
    }
    String sub = Uuid6.now();
    put("t", "sub", sub, null, new JsonObject().put("source", "loop").put("step", 0), "sub");
    put("other", Uuid6.now(), null);

    JsonObject all = list(new JsonObject().put("thread_id", "t"));
    assertEquals(List.of(sub, ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), ids(all));
    assertEquals(6, all.getLong("total"));

    JsonObject root = list(new JsonObject().put("thread_id", "t").put("ns", ""));
    assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), ids(root));

    JsonObject page = list(new JsonObject().put("thread_id", "t").put("ns", "").put("limit", "2"));
    assertEquals(List.of(ids.get(4), ids.get(3)), ids(page));
    assertEquals(5, page.getLong("total"));

    JsonObject before = list(new JsonObject().put("thread_id", "t").put("ns", "").put("before", ids.get(2)));
    assertEquals(List.of(ids.get(1), ids.get(0)), ids(before));

    JsonObject input = list(new JsonObject().put("thread_id", "t")
        .put("filter", new JsonObject().put("source", "input")));
    assertEquals(List.of(ids.get(0)), ids(input));

    JsonObject step = list(new JsonObject().put("thread_id", "t").put("ns", "")
        .put("filter", new JsonObject().put("step", 2).put("source", "loop")));
    assertEquals(List.of(ids.get(3)), ids(step));

    JsonObject none = list(new JsonObject().put("thread_id", "t").put("filter", new JsonObject().put("step", 99)));
    assertEquals(0, none.getJsonArray("items").size());
    assertEquals(0, none.getLong("total"));

    JsonObject everyThread = list(new JsonObject());
    assertEquals(7, everyThread.getLong("total"));
  }

  @Test
  void putWritesFollowsLangGraphSemantics() {
    String id = Uuid6.now();
    put("t", id, null);
    writes("t", id, "task-b", new JsonArray().add(write("messages", "m1")).add(write("route", "r1")));
    writes("t", id, "task-a", new JsonArray().add(write("messages", "a1")));
    // A second put of the same (task, idx) for ordinary channels is ignored ...
    writes("t", id, "task-b", new JsonArray().add(write("messages", "CHANGED")));
    // ... while special channels replace their row, at their fixed negative index.
    writes("t", id, "task-b", new JsonArray().add(write("__error__", "boom")));
    writes("t", id, "task-b", new JsonArray().add(write("__error__", "boom again")));
    writes("t", id, "task-b", new JsonArray().add(write("__interrupt__", "ask")));

    JsonArray pending = latest("t").getJsonArray("pending_writes");
    List<String> order = new ArrayList<>();
    for (Object o : pending) {
      JsonObject w = (JsonObject) o;
      order.add(w.getString("task_id") + "/" + w.getInteger("idx") + "/" + w.getString("channel") + "="
          + text(w.getString("value")));
      assertEquals("~a", w.getString("task_path"));
      assertEquals("msgpack", w.getString("type"));
    }
    assertEquals(List.of("task-a/0/messages=a1", "task-b/-3/__interrupt__=ask", "task-b/-1/__error__=boom again",
        "task-b/0/messages=m1", "task-b/1/route=r1"), order);

    // A client-supplied idx does not move a special channel off its fixed index: still one __error__
    // row for task-b, at -1, replaced.
    writes("t", id, "task-b", new JsonArray().add(write("__error__", "third").put("idx", 5)));
    writes("t", id, "task-b", new JsonArray().add(write("__error__", "fourth").put("idx", 0)));
    List<String> errors = new ArrayList<>();
    for (Object o : latest("t").getJsonArray("pending_writes")) {
      JsonObject w = (JsonObject) o;
      if (w.getString("channel").equals("__error__")) {
        errors.add(w.getString("task_id") + "/" + w.getInteger("idx") + "=" + text(w.getString("value")));
      }
    }
    assertEquals(List.of("task-b/-1=fourth"), errors);
    // ... and the ordinary write at idx 0 is untouched.
    assertTrue(latest("t").getJsonArray("pending_writes").stream().map(o -> (JsonObject) o)
        .anyMatch(w -> w.getString("task_id").equals("task-b") && w.getInteger("idx") == 0
            && text(w.getString("value")).equals("m1")));
    // A mixed batch: the special channel still replaces its row.
    writes("t", id, "task-b", new JsonArray().add(write("messages", "ignored")).add(write("__error__", "fifth")));
    assertTrue(latest("t").getJsonArray("pending_writes").stream().map(o -> (JsonObject) o)
        .anyMatch(w -> w.getInteger("idx") == -1 && w.getString("task_id").equals("task-b")
            && text(w.getString("value")).equals("fifth")));

    // An explicit idx is kept as given.
    writes("t", id, "task-c", new JsonArray().add(write("messages", "x").put("idx", 7)));
    assertTrue(latest("t").getJsonArray("pending_writes").stream()
        .anyMatch(o -> ((JsonObject) o).getInteger("idx") == 7));
  }

  @Test
  void deleteThreadRemovesWritesAndCheckpointsOfThatThreadOnly() throws Exception {
    String a1 = Uuid6.now();
    String a2 = Uuid6.now();
    put("a", a1, null);
    put("a", a2, a1);
    put("a", "sub", Uuid6.now(), null, new JsonObject(), "sub");
    writes("a", a2, "t1", new JsonArray().add(write("messages", "m")).add(write("x", "y")));
    String b1 = Uuid6.now();
    put("b", b1, null);
    writes("b", b1, "t1", new JsonArray().add(write("messages", "m")));

    JsonObject deleted = call(CheckpointAddresses.DELETE_THREAD, new JsonObject().put("thread_id", "a"));
    assertEquals(new JsonObject().put("deleted_checkpoints", 3).put("deleted_writes", 2), deleted);
    assertEquals(1, count("SELECT COUNT(*) FROM checkpoints"));
    assertEquals(1, count("SELECT COUNT(*) FROM writes"));
    assertEquals(ErrorCode.NOT_FOUND.value(), failure(CheckpointAddresses.GET_TUPLE,
        new JsonObject().put("thread_id", "a")));
    assertEquals(b1, latest("b").getString("checkpoint_id"));
  }

  /**
   * copy_thread checks that the target is empty, then inserts; on PostgreSQL a concurrent writer can put
   * a checkpoint into the target in between. Simulated with a trigger that inserts the same key first:
   * the primary-key violation must answer CONFLICT (409), not INTERNAL (500).
   */
  @Test
  void aPrimaryKeyRaceInCopyThreadIsAConflict() throws Exception {
    String id = Uuid6.now();
    put("src", id, null);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      String copy = "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, checkpoint, metadata)"
          + " VALUES (NEW.thread_id, NEW.checkpoint_ns, NEW.checkpoint_id, NEW.type, NEW.checkpoint, NEW.metadata);";
      if (backend == Backend.SQLITE) {
        s.execute("CREATE TRIGGER race BEFORE INSERT ON checkpoints WHEN NEW.thread_id = 'dst' BEGIN " + copy + " END");
      } else {
        s.execute("CREATE FUNCTION race() RETURNS trigger AS $$ BEGIN IF NEW.thread_id = 'dst'"
            + " AND pg_trigger_depth() = 1 THEN " + copy + " END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
        s.execute("CREATE TRIGGER race BEFORE INSERT ON checkpoints FOR EACH ROW EXECUTE FUNCTION race()");
      }
    }

    assertEquals(ErrorCode.CONFLICT.value(), failure(CheckpointAddresses.COPY_THREAD, new JsonObject()
        .put("thread_id", "src").put("body", new JsonObject().put("target_thread_id", "dst"))));
  }

  @Test
  void copyThreadAndStats() {
    String c1 = Uuid6.now();
    String c2 = Uuid6.now();
    put("src", c1, null);
    put("src", c2, c1);
    writes("src", c2, "t", new JsonArray().add(write("messages", "hello")));

    JsonObject copied = call(CheckpointAddresses.COPY_THREAD, new JsonObject().put("thread_id", "src")
        .put("body", new JsonObject().put("target_thread_id", "dst")));
    assertEquals(2, copied.getInteger("checkpoints"));
    assertEquals(1, copied.getInteger("writes"));
    JsonObject latest = latest("dst");
    assertEquals(c2, latest.getString("checkpoint_id"));
    assertEquals(c1, latest.getString("parent_checkpoint_id"));
    assertEquals("hello", text(latest.getJsonArray("pending_writes").getJsonObject(0).getString("value")));

    assertEquals(ErrorCode.CONFLICT.value(), failure(CheckpointAddresses.COPY_THREAD,
        new JsonObject().put("thread_id", "src").put("body", new JsonObject().put("target_thread_id", "dst"))));
    assertEquals(ErrorCode.NOT_FOUND.value(), failure(CheckpointAddresses.COPY_THREAD,
        new JsonObject().put("thread_id", "nothing").put("body", new JsonObject().put("target_thread_id", "x"))));

    JsonObject stats = call(CheckpointAddresses.STATS, new JsonObject());
    assertEquals(2, stats.getLong("total"));
    JsonObject dst = stats.getJsonArray("items").getJsonObject(0);
    assertEquals("dst", dst.getString("thread_id"));
    assertEquals(2, dst.getLong("checkpoints"));
    assertEquals(("state of " + c1).length() * 2L, dst.getLong("checkpoint_bytes"));
    assertEquals(1, dst.getLong("writes"));
    assertEquals(5, dst.getLong("write_bytes"));
    assertEquals(c2, dst.getString("latest_checkpoint_id"));
  }

  @Test
  void pipelitAdminListingAndBatchDelete() throws Exception {
    String a1 = Uuid6.now();
    String a2 = Uuid6.now();
    put("1:5", "", a1, null, new JsonObject().put("source", "input").put("step", -1), "12345");
    put("1:5", "", a2, a1, new JsonObject().put("source", "loop").put("step", 0), "1234567");
    writes("1:5", a2, "t", new JsonArray().add(write("messages", "m")));
    String b1 = Uuid6.now();
    put("exec:9:agent", "", b1, null, new JsonObject(), "x");
    String c1 = Uuid6.now();
    put("1:6", c1, null);

    JsonObject page = call(CheckpointAddresses.ADMIN_LIST, new JsonObject().put("thread_id", "1:5"));
    assertEquals(2, page.getLong("total"));
    assertEquals(new JsonObject().put("thread_id", "1:5").put("checkpoint_ns", "").put("checkpoint_id", a2)
        .put("parent_checkpoint_id", a1).put("step", 0).put("source", "loop").put("blob_size", 7L),
        page.getJsonArray("items").getJsonObject(0));
    JsonObject all = call(CheckpointAddresses.ADMIN_LIST, new JsonObject().put("limit", 2).put("offset", 1));
    assertEquals(4, all.getLong("total"));
    assertEquals(2, all.getJsonArray("items").size());
    assertNull(call(CheckpointAddresses.ADMIN_LIST, new JsonObject().put("thread_id", "exec:9:agent"))
        .getJsonArray("items").getJsonObject(0).getValue("step"));

    JsonObject deleted = call(CheckpointAddresses.BATCH_DELETE, new JsonObject().put("body", new JsonObject()
        .put("thread_ids", new JsonArray().add("1:5")).put("checkpoint_ids", new JsonArray().add(b1))));
    assertEquals(new JsonObject().put("deleted_checkpoints", 3).put("deleted_writes", 1), deleted);
    assertEquals(1, count("SELECT COUNT(*) FROM checkpoints"));
    assertEquals(ErrorCode.VALIDATION_FAILED.value(), failure(CheckpointAddresses.BATCH_DELETE,
        new JsonObject().put("body", new JsonObject().put("thread_ids", new JsonArray().add(3)))));
    assertEquals(1, count("SELECT COUNT(*) FROM checkpoints"));
  }

  // --- prune --------------------------------------------------------------------------------------

  /**
   * c1 → c2 → c3 → c4 on the main line, and a fork c2 → c5 made last. keep_last 2 keeps c5 and c4; both
   * descend from c1, the root, which stays; c2 and c3 go, with their writes. A second prune removes nothing.
   */
  @Test
  void pruneKeepLastOnABranchedHistoryKeepsTheRoot() throws Exception {
    String c1 = Uuid6.now();
    String c2 = Uuid6.now();
    String c3 = Uuid6.now();
    String c4 = Uuid6.now();
    String c5 = Uuid6.now();
    put("t", c1, null);
    put("t", c2, c1);
    put("t", c3, c2);
    put("t", c4, c3);
    put("t", c5, c2);
    writes("t", c2, "task", new JsonArray().add(write("a", "1")).add(write("b", "2")));
    writes("t", c4, "task", new JsonArray().add(write("a", "1")));
    String other = Uuid6.now();
    put("untouched", other, null);

    JsonObject rule = new JsonObject().put("keep_last", 2).put("thread_ids", new JsonArray().add("t"));
    JsonObject dry = call(CheckpointAddresses.PRUNE, new JsonObject().put("body", rule.copy().put("dry_run", true)));
    assertEquals(new JsonObject().put("deleted_checkpoints", 2).put("deleted_writes", 2).put("threads", 1)
        .put("dry_run", true), dry);
    assertEquals(6, count("SELECT COUNT(*) FROM checkpoints"));
    assertEquals(3, count("SELECT COUNT(*) FROM writes"));

    JsonObject done = call(CheckpointAddresses.PRUNE, new JsonObject().put("body", rule));
    assertEquals(dry.copy().put("dry_run", false), done);
    assertEquals(List.of(c5, c4, c1), ids(list(new JsonObject().put("thread_id", "t"))));
    assertEquals(1, count("SELECT COUNT(*) FROM writes"));
    assertEquals(c5, latest("t").getString("checkpoint_id"));
    assertEquals(other, latest("untouched").getString("checkpoint_id"));

    // Pruning again changes nothing.
    assertEquals(0, call(CheckpointAddresses.PRUNE, new JsonObject().put("body", rule)).getLong("deleted_checkpoints"));
  }

  /**
   * A put_writes to a checkpoint a prune is about to delete must not commit after the prune's deletes
   * and stay behind as orphan writes. PostgreSQL runs writes in parallel: writes take a per-thread lock
   * shared, a prune exclusive. SQLite: another process's open write transaction holds the file's write
   * lock, and the single writer's prune waits for it (busy timeout). Either way the prune waits for the
   * in-flight write, then deletes its rows too.
   */
  @Test
  void aPruneWaitsForInFlightWritesToTheThread() throws Exception {
    String c1 = Uuid6.now();
    String c2 = Uuid6.now();
    String c3 = Uuid6.now();
    String c4 = Uuid6.now();
    put("t", c1, null);
    put("t", c2, c1);
    put("t", c3, c2);
    put("t", c4, c3);
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        // An in-flight put_writes to c2: PostgreSQL as the store does it (lock shared, insert, commit
        // later); SQLite as another process would (BEGIN IMMEDIATE takes the write lock).
        if (backend == Backend.POSTGRESQL) {
          s.executeQuery("SELECT pg_advisory_xact_lock_shared(hashtext('t'))").close();
        } else {
          c.setAutoCommit(true);
          s.execute("BEGIN IMMEDIATE");
        }
        s.executeUpdate("INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx,"
            + " channel, type, value) VALUES ('t', '', '" + c2 + "', 'task', '', 0, 'messages', 'msgpack', 'x')");
      }
      io.vertx.core.Future<io.vertx.core.eventbus.Message<JsonObject>> pruning = vertx.eventBus().request(
          CheckpointAddresses.PRUNE, new JsonObject().put("body", new JsonObject().put("keep_last", 1)
              .put("thread_ids", new JsonArray().add("t"))), ADMIN);
      Thread.sleep(700);
      assertFalse(pruning.isComplete(), "the prune must wait for the write in flight");
      if (backend == Backend.POSTGRESQL) {
        c.commit();
      } else {
        try (Statement s = c.createStatement()) {
          s.execute("COMMIT");
        }
      }
      JsonObject done = pruning.await(60, TimeUnit.SECONDS).body();
      assertEquals(2, done.getLong("deleted_checkpoints"));
      assertEquals(1, done.getLong("deleted_writes"));
    }
    assertEquals(0, count("SELECT COUNT(*) FROM writes"));
    assertEquals(List.of(c4, c1), ids(list(new JsonObject().put("thread_id", "t"))));
  }

  @Test
  void pruneByAgeKeepsRecentCheckpointsAndTheirRootAndWholeOldThreadsGo() {
    long now = System.currentTimeMillis();
    long day = 86_400_000L;
    String old1 = Uuid6.at(now - 10 * day);
    String old2 = Uuid6.at(now - 9 * day);
    String old3 = Uuid6.at(now - 8 * day);
    String recent = Uuid6.at(now - 1000);
    put("t", old1, null);
    put("t", old2, old1);
    put("t", old3, old2);
    put("t", recent, old3);
    String stale1 = Uuid6.at(now - 30 * day);
    String stale2 = Uuid6.at(now - 29 * day);
    put("stale", stale1, null);
    put("stale", stale2, stale1);
    put("legacy", "not-a-uuid", null); // no readable time: never old

    JsonObject done = call(CheckpointAddresses.PRUNE, new JsonObject()
        .put("body", new JsonObject().put("older_than_seconds", 86_400)));
    assertEquals(4, done.getLong("deleted_checkpoints"));
    assertEquals(2, done.getLong("threads"));
    assertEquals(List.of(recent, old1), ids(list(new JsonObject().put("thread_id", "t"))));
    assertEquals(0, list(new JsonObject().put("thread_id", "stale")).getLong("total"));
    assertEquals(1, list(new JsonObject().put("thread_id", "legacy")).getLong("total"));

    // Both rules: a checkpoint goes only when it is beyond the count AND old.
    String b1 = Uuid6.at(now - 6 * day);
    String b2 = Uuid6.at(now - 5 * day);
    String b3 = Uuid6.at(now - 4 * day);
    String b4 = Uuid6.at(now - 1000);
    put("both", b1, null);
    put("both", b2, b1);
    put("both", b3, b2);
    put("both", b4, b3);
    JsonObject both = call(CheckpointAddresses.PRUNE, new JsonObject().put("body", new JsonObject()
        .put("keep_last", 2).put("older_than_seconds", 86_400).put("thread_ids", new JsonArray().add("both"))));
    assertEquals(1, both.getLong("deleted_checkpoints"));
    assertEquals(List.of(b4, b3, b1), ids(list(new JsonObject().put("thread_id", "both"))));
  }

  // --- concurrency --------------------------------------------------------------------------------

  @Test
  void thirtyTwoConcurrentWritersZeroErrors() throws Exception {
    int writers = 32;
    int perWriter = 20;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    AtomicInteger errors = new AtomicInteger();
    String payload = "x".repeat(10 * 1024);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String thread = "writer-" + w;
        done.add(pool.submit(() -> {
          String parent = null;
          for (int i = 0; i < perWriter; i++) {
            String id = Uuid6.now();
            try {
              put(thread, "", id, parent, new JsonObject().put("step", i), payload);
              writes(thread, id, "task", new JsonArray().add(write("messages", "m" + i)));
            } catch (AssertionError e) {
              errors.incrementAndGet();
            }
            parent = id;
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, errors.get());
    assertEquals(writers * perWriter, count("SELECT COUNT(*) FROM checkpoints"));
    assertEquals(writers * perWriter, count("SELECT COUNT(*) FROM writes"));
    assertEquals(perWriter, list(new JsonObject().put("thread_id", "writer-7")).getLong("total"));
  }

  // --- access and bad input -----------------------------------------------------------------------

  @Test
  void normalUsersAreForbiddenAndAnonymousCallersUnauthenticated() throws Exception {
    JsonObject request = new JsonObject().put("thread_id", "t").put("checkpoint_id", "c")
        .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", b64("x")));
    for (String address : List.of(CheckpointAddresses.PUT, CheckpointAddresses.PUT_WRITES,
        CheckpointAddresses.GET_TUPLE, CheckpointAddresses.LIST, CheckpointAddresses.DELETE_THREAD,
        CheckpointAddresses.PRUNE, CheckpointAddresses.STATS, CheckpointAddresses.COPY_THREAD,
        CheckpointAddresses.ADMIN_LIST, CheckpointAddresses.BATCH_DELETE)) {
      assertEquals(ErrorCode.FORBIDDEN.value(), failure(address, request, NORMAL), address);
      assertEquals(ErrorCode.UNAUTHENTICATED.value(), failure(address, request, new DeliveryOptions()), address);
    }
    if (backend == Backend.SQLITE) {
      assertFalse(Files.exists(folder.resolve("platform/checkpoints.db")), "a refused put created the file");
    } else {
      assertEquals(0, list(new JsonObject()).getLong("total"));
    }
  }

  @Test
  void badInputIsRefusedWithA4xxAndChangesNothing() throws Exception {
    String id = Uuid6.now();
    put("t", id, null);
    JsonObject good = new JsonObject().put("type", "msgpack").put("checkpoint", b64("ok"));
    JsonObject base = new JsonObject().put("thread_id", "t").put("checkpoint_id", Uuid6.now());
    int validation = ErrorCode.VALIDATION_FAILED.value();

    assertEquals(validation, failure(CheckpointAddresses.PUT,
        base.copy().put("body", new JsonObject().put("checkpoint", b64("ok")))));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("body", good.copy().put("checkpoint", "%%%"))));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("body", good.copy().put("metadata", "x"))));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("body", good.copy().put("checkpoint", 12))));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("thread_id", "").put("body", good)));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("thread_id", "a\u0000b").put("body", good)));
    assertEquals(validation, failure(CheckpointAddresses.PUT, new JsonObject().put("thread_id", "t").put("body", good)));
    assertEquals(validation, failure(CheckpointAddresses.PUT, base.copy().put("body", "not an object")));
    assertEquals(ErrorCode.BAD_REQUEST.value(), failure(CheckpointAddresses.PUT, null));

    String huge = Base64.getEncoder().encodeToString(new byte[(int) MAX_BYTES + 1]);
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE.value(),
        failure(CheckpointAddresses.PUT, base.copy().put("body", good.copy().put("checkpoint", huge))));
    // Blob within the limit, but with its metadata over it.
    String almost = Base64.getEncoder().encodeToString(new byte[(int) MAX_BYTES - 10]);
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE.value(), failure(CheckpointAddresses.PUT, base.copy().put("body",
        good.copy().put("checkpoint", almost).put("metadata", new JsonObject().put("note", "x".repeat(100))))));

    JsonObject w = new JsonObject().put("thread_id", "t").put("checkpoint_id", id);
    assertEquals(validation, failure(CheckpointAddresses.PUT_WRITES, w.copy().put("body",
        new JsonObject().put("task_id", "x").put("writes", new JsonArray()))));
    assertEquals(validation, failure(CheckpointAddresses.PUT_WRITES, w.copy().put("body",
        new JsonObject().put("writes", new JsonArray().add(write("a", "b"))))));
    assertEquals(validation, failure(CheckpointAddresses.PUT_WRITES, w.copy().put("body",
        new JsonObject().put("task_id", "x").put("writes", new JsonArray().add("nope")))));
    assertEquals(validation, failure(CheckpointAddresses.PUT_WRITES, w.copy().put("body",
        new JsonObject().put("task_id", "x").put("writes", new JsonArray().add(write("a", "b")).add(
            new JsonObject().put("channel", "c").put("type", "msgpack").put("value", "***"))))));
    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE.value(), failure(CheckpointAddresses.PUT_WRITES, w.copy().put("body",
        new JsonObject().put("task_id", "x").put("writes", new JsonArray()
            .add(write("a", "x".repeat((int) MAX_BYTES / 2 + 1))).add(write("b", "x".repeat((int) MAX_BYTES / 2 + 1)))))));

    assertEquals(validation, failure(CheckpointAddresses.LIST, new JsonObject().put("limit", 0)));
    assertEquals(validation, failure(CheckpointAddresses.LIST, new JsonObject().put("limit", "ten")));
    assertEquals(validation, failure(CheckpointAddresses.LIST,
        new JsonObject().put("filter", new JsonObject().put("bad key'", 1))));
    assertEquals(validation, failure(CheckpointAddresses.PRUNE, new JsonObject().put("body", new JsonObject())));
    assertEquals(validation, failure(CheckpointAddresses.PRUNE,
        new JsonObject().put("body", new JsonObject().put("keep_last", -1))));
    // keep_last 0 would wipe the thread: refused, alone, with an age rule, and as text (query style).
    assertEquals(validation, failure(CheckpointAddresses.PRUNE,
        new JsonObject().put("body", new JsonObject().put("keep_last", 0))));
    assertEquals(validation, failure(CheckpointAddresses.PRUNE,
        new JsonObject().put("body", new JsonObject().put("keep_last", 0).put("older_than_seconds", 0))));
    assertEquals(validation, failure(CheckpointAddresses.PRUNE,
        new JsonObject().put("body", new JsonObject().put("keep_last", "0"))));
    assertEquals(validation, failure(CheckpointAddresses.DELETE_THREAD, new JsonObject()));

    assertEquals(1, count("SELECT COUNT(*) FROM checkpoints"));
    assertEquals(0, count("SELECT COUNT(*) FROM writes"));
    assertEquals(id, latest("t").getString("checkpoint_id"));
  }

  @Test
  void largeCheckpointsWithinTheLimitRoundTrip() {
    byte[] blob = new byte[(int) MAX_BYTES - 100];
    ThreadLocalRandom.current().nextBytes(blob);
    String id = Uuid6.now();
    call(CheckpointAddresses.PUT, new JsonObject().put("thread_id", "big").put("checkpoint_id", id)
        .put("body", new JsonObject().put("type", "msgpack").put("checkpoint", Base64.getEncoder().encodeToString(blob))));
    assertArrayEquals(blob, Base64.getDecoder().decode(latest("big").getString("checkpoint")));
  }
}
