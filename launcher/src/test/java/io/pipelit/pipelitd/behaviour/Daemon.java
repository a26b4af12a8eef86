package io.pipelit.pipelitd.behaviour;

import io.pipelit.pipelitd.checkpoints.CheckpointVerticle;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.http.HttpApiVerticle;
import io.pipelit.pipelitd.persistence.PersistenceVerticle;
import io.pipelit.pipelitd.persistence.impl.ApiKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real daemon for behaviour tests: PersistenceVerticle, CheckpointVerticle and HttpApiVerticle
 * deployed on a fresh real database (an SQLite file in a temporary folder, or a new PostgreSQL
 * database), spoken to over real HTTP. Also opens the database directly (a second connection) to check what was committed.
 */
final class Daemon implements AutoCloseable {
  final Vertx vertx;
  final Backend backend;
  final String databaseUrl;
  final int port;
  final String adminKey;
  /** The FIELD_ENCRYPTION_KEY this daemon runs with (a fresh key unless the overrides set one). */
  String fieldKey;
  /** The PIPELIT_DIR this daemon runs with (workspaces live under its {@code workspaces} folder). */
  Path pipelitDir;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1) // as Pipelit's Python clients speak; one connection per request in flight
      .connectTimeout(Duration.ofSeconds(10)).build();

  private Daemon(Vertx vertx, Backend backend, String databaseUrl, int port, String adminKey) {
    this.vertx = vertx;
    this.backend = backend;
    this.databaseUrl = databaseUrl;
    this.port = port;
    this.adminKey = adminKey;
  }

  static Daemon start(Backend backend, Path folder) throws Exception {
    return start(backend, folder, new JsonObject());
  }

  /** Deploys the daemon on a fresh, empty database of that backend and creates the first admin. */
  static Daemon start(Backend backend, Path folder, JsonObject overrides) throws Exception {
    // Workspaces go under the test's own folder, never under the working directory.
    JsonObject withPipelitDir = new JsonObject().put(ConfigKeys.PIPELIT_DIR, folder.resolve("pipelit").toString())
        .mergeIn(overrides);
    return startOn(TestDatabases.freshUrl(backend, folder), withPipelitDir);
  }

  /** Deploys the daemon on the database at {@code databaseUrl} and creates the first admin. */
  static Daemon startOn(String databaseUrl, JsonObject overrides) throws Exception {
    Backend backend = databaseUrl.startsWith("sqlite") ? Backend.SQLITE : Backend.POSTGRESQL;
    JsonObject config = new JsonObject()
        .put(ConfigKeys.DATABASE_URL, databaseUrl)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, checkpointsUrl(databaseUrl))
        .put(ConfigKeys.HTTP_HOST, "127.0.0.1")
        .put(ConfigKeys.HTTP_PORT, 0)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL")
        .put(ConfigKeys.FIELD_ENCRYPTION_KEY, io.pipelit.pipelitd.crypto.FieldKeyring.generateKey())
        .put("pipelitd.version", "test")
        // Tests edit keys with direct SQL behind the daemon's back, which a cache would hide for its TTL;
        // AuthCacheTest turns the cache on and checks its in-process invalidation.
        .put(ConfigKeys.AUTH_CACHE_SECONDS, 0)
        .mergeIn(overrides);
    Vertx vertx = Vertx.vertx();
    HttpApiVerticle api = new HttpApiVerticle();
    io.vertx.core.DeploymentOptions options = new io.vertx.core.DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new PersistenceVerticle(), options)
        .compose(id -> vertx.deployVerticle(new CheckpointVerticle(), options))
        .compose(id -> vertx.deployVerticle(api, options))
        .await(60, TimeUnit.SECONDS);
    JsonObject setup = vertx.eventBus()
        .<JsonObject>request(StoreAddresses.SETUP_ADMIN,
            new JsonObject().put("username", "admin").put("password", "correct horse battery"))
        .await(60, TimeUnit.SECONDS).body();
    Daemon daemon = new Daemon(vertx, backend, databaseUrl, api.actualPort(), setup.getString("key"));
    daemon.fieldKey = config.getString(ConfigKeys.FIELD_ENCRYPTION_KEY);
    daemon.pipelitDir = Path.of(config.getString(ConfigKeys.PIPELIT_DIR, ConfigKeys.DEFAULT_PIPELIT_DIR))
        .toAbsolutePath();
    return daemon;
  }

  /**
   * Deploys the daemon on an existing, already set-up database (a copy, say) without creating an admin:
   * requests use {@code adminKey}, a key the caller has put into that database.
   */
  static Daemon attach(String databaseUrl, JsonObject overrides, String adminKey) throws Exception {
    Backend backend = databaseUrl.startsWith("sqlite") ? Backend.SQLITE : Backend.POSTGRESQL;
    JsonObject config = new JsonObject()
        .put(ConfigKeys.DATABASE_URL, databaseUrl)
        .put(ConfigKeys.CHECKPOINTS_DATABASE_URL, checkpointsUrl(databaseUrl))
        .put(ConfigKeys.HTTP_HOST, "127.0.0.1")
        .put(ConfigKeys.HTTP_PORT, 0)
        .put(ConfigKeys.SQLITE_SYNCHRONOUS, "NORMAL")
        .put("pipelitd.version", "test")
        .mergeIn(overrides);
    Vertx vertx = Vertx.vertx();
    HttpApiVerticle api = new HttpApiVerticle();
    io.vertx.core.DeploymentOptions options = new io.vertx.core.DeploymentOptions().setConfig(config);
    vertx.deployVerticle(new PersistenceVerticle(), options)
        .compose(id -> vertx.deployVerticle(new CheckpointVerticle(), options))
        .compose(id -> vertx.deployVerticle(api, options))
        .await(60, TimeUnit.SECONDS);
    Daemon daemon = new Daemon(vertx, backend, databaseUrl, api.actualPort(), adminKey);
    daemon.fieldKey = config.getString(ConfigKeys.FIELD_ENCRYPTION_KEY);
    return daemon;
  }

  /**
   * The checkpoint database next to the main one: a sibling SQLite file (created on the first checkpoint
   * written), or the same PostgreSQL database (its two tables do not collide with the main schema).
   */
  static String checkpointsUrl(String databaseUrl) {
    return databaseUrl.startsWith("sqlite") ? databaseUrl + ".checkpoints.db" : databaseUrl;
  }

  /** A second connection on the database, as an outside reader would open it. */
  Connection connect() throws SQLException {
    return TestDatabases.connect(databaseUrl);
  }

  long count(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A normal (non-admin) user with a key, written straight into the database; returns the key. */
  String createNormalUser(String username) throws SQLException {
    String key = ApiKeys.generate();
    try (Connection c = connect()) {
      long userId;
      try (PreparedStatement s = c.prepareStatement("INSERT INTO user_profiles (username, password_hash, role)"
          + " VALUES (?, '', 'normal')", Statement.RETURN_GENERATED_KEYS)) {
        s.setString(1, username);
        s.executeUpdate();
        try (ResultSet keys = s.getGeneratedKeys()) {
          keys.next();
          userId = keys.getLong(1);
        }
      }
      try (PreparedStatement s = c.prepareStatement(
          "INSERT INTO api_keys (user_id, key, name, prefix, is_active) VALUES (?, ?, 'test', ?, TRUE)")) {
        s.setLong(1, userId);
        s.setString(2, ApiKeys.hash(key));
        s.setString(3, ApiKeys.prefix(key));
        s.executeUpdate();
      }
    }
    return key;
  }

  Response send(String method, String path, String key, String body) throws Exception {
    return sendAsync(method, path, key, body).get(60, TimeUnit.SECONDS);
  }

  CompletableFuture<Response> sendAsync(String method, String path, String key, String body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      builder.header("Content-Type", "application/json");
    }
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Response(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null),
            r.headers().firstValue("Content-Type").orElse(null), r.body()));
  }

  Response get(String path) throws Exception {
    return send("GET", path, adminKey, null);
  }

  Response post(String path, Object body) throws Exception {
    return send("POST", path, adminKey, body == null ? null : body.toString());
  }

  Response patch(String path, Object body) throws Exception {
    return send("PATCH", path, adminKey, body.toString());
  }

  Response delete(String path) throws Exception {
    return send("DELETE", path, adminKey, null);
  }

  /** Waits for a Vert.x future from a test thread; failures are rethrown as they are. */
  static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 60 s", e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
