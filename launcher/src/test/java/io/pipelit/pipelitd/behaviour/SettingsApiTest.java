package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pipelit.pipelitd.contracts.EventAddresses;
import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Settings (§3.15): admin-only, kept in system_config, URL passwords encrypted at rest and masked,
 * validation, the hot_reloaded / restart_required lists, the Logback level applied at once and the
 * change published on pipelit.events.settings.
 */
class SettingsApiTest extends BackendSuite {
  static final String S = "/api/v1/settings/";
  static final Set<String> CONFIG_KEYS = Set.of("pipelit_dir", "sandbox_mode", "database_url", "redis_url",
      "log_level", "log_file", "platform_base_url", "cors_allow_all_origins", "zombie_execution_threshold_seconds");

  static String alice;
  private Level rootLevelBefore;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void users() throws Exception {
    alice = daemon.createNormalUser("alice");
  }

  static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @BeforeEach
  void rememberLevel() {
    rootLevelBefore = root().getLevel();
  }

  @AfterEach
  void restoreLevel() {
    root().setLevel(rootLevelBefore);
  }

  static Response patch(String body) throws Exception {
    return daemon.send("PATCH", S, daemon.adminKey, body);
  }

  static String rawColumn(String column) throws Exception {
    try (Connection c = daemon.connect(); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT " + column + " FROM system_config WHERE id = 1")) {
      assertTrue(rows.next(), "no system_config row");
      return rows.getString(1);
    }
  }

  @Test
  void settingsAreAdminOnly() throws Exception {
    for (String[] call : List.of(new String[] {"GET", S, null}, new String[] {"PATCH", S, "{\"log_level\":\"ERROR\"}"},
        new String[] {"POST", S + "recheck-environment/", null})) {
      Response r = daemon.send(call[0], call[1], alice, call[2]);
      assertEquals(403, r.status(), r.toString());
      assertEquals("Admin access required.", r.detail());
    }
    assertEquals(401, daemon.send("GET", S, null, null).status());
    assertEquals(0, daemon.count("SELECT COUNT(*) FROM system_config WHERE log_level = 'ERROR'"));
  }

  @Test
  void getAnswersConfigAndEnvironment() throws Exception {
    Response r = daemon.get(S);
    assertEquals(200, r.status(), r.toString());
    assertEquals(Set.of("config", "environment"), r.json().fieldNames());
    JsonObject config = r.json().getJsonObject("config");
    assertEquals(CONFIG_KEYS, config.fieldNames());
    assertEquals(daemon.pipelitDir.toString(), config.getString("pipelit_dir"));
    assertEquals(daemon.databaseUrl.replaceAll(":[^:@/]+@", ":***@"), config.getString("database_url"));
    JsonObject environment = r.json().getJsonObject("environment");
    assertEquals(System.getProperty("java.version"), environment.getString("java_version"));
    assertEquals(backend.name().toLowerCase(), environment.getString("database_backend"));
  }

  @Test
  void urlPasswordsAreMaskedEncryptedAtRestAndKeptWhenSentBackMasked() throws Exception {
    Response r = patch(new JsonObject().put("database_url", "postgresql://bob:s3cret-pw@db.example:5432/pipelit")
        .put("redis_url", "redis://:redis-pw-42@cache.example:6379/1").encode());
    assertEquals(200, r.status(), r.toString());
    JsonObject config = r.json().getJsonObject("config");
    assertEquals("postgresql://bob:***@db.example:5432/pipelit", config.getString("database_url"));
    assertEquals("redis://:***@cache.example:6379/1", config.getString("redis_url"));
    assertEquals(new JsonArray().add("database_url").add("redis_url"), r.json().getJsonArray("restart_required"));
    assertEquals(new JsonArray(), r.json().getJsonArray("hot_reloaded"));
    assertEquals(config, daemon.get(S).json().getJsonObject("config"));

    String rawUrl = rawColumn("database_url");
    assertFalse(rawUrl.contains("s3cret-pw"), rawUrl);
    assertFalse(rawColumn("redis_url").contains("redis-pw-42"));
    FieldKeyring keyring = FieldKeyring.parse(daemon.fieldKey);
    assertEquals("postgresql://bob:s3cret-pw@db.example:5432/pipelit", keyring.decrypt(rawUrl).value());

    // The whole config sent back as answered: nothing changes, the passwords stay.
    Response echoed = patch(config.copy().put("log_file", "/var/log/pipelit.log").encode());
    assertEquals(200, echoed.status(), echoed.toString());
    assertEquals(new JsonArray().add("log_file"), echoed.json().getJsonArray("restart_required"));
    assertEquals("postgresql://bob:s3cret-pw@db.example:5432/pipelit", keyring.decrypt(rawColumn("database_url")).value());
    assertEquals("redis://:redis-pw-42@cache.example:6379/1", keyring.decrypt(rawColumn("redis_url")).value());

    // An empty URL returns to the default (the daemon's own DATABASE_URL).
    Response reset = patch("{\"database_url\":\"\"}");
    assertEquals(daemon.databaseUrl.replaceAll(":[^:@/]+@", ":***@"),
        reset.json().getJsonObject("config").getString("database_url"));
    assertEquals(null, rawColumn("database_url"));
  }

  @Test
  void hotReloadAppliesTheLogLevelAndPublishesTheThreshold() throws Exception {
    CompletableFuture<JsonObject> published = new CompletableFuture<>();
    MessageConsumer<JsonObject> consumer = daemon.vertx.eventBus()
        .consumer(EventAddresses.SETTINGS, m -> published.complete(m.body()));
    Daemon.await(consumer.completion());
    try {
      Response r = patch("{\"log_level\":\"warning\",\"zombie_execution_threshold_seconds\":60,"
          + "\"platform_base_url\":\"https://pipelit.example\"}");
      assertEquals(200, r.status(), r.toString());
      assertEquals(Set.of("config", "hot_reloaded", "restart_required"), r.json().fieldNames());
      assertEquals(new JsonArray().add("log_level").add("zombie_execution_threshold_seconds"),
          r.json().getJsonArray("hot_reloaded"));
      assertEquals(new JsonArray().add("platform_base_url"), r.json().getJsonArray("restart_required"));
      assertEquals("WARNING", r.json().getJsonObject("config").getString("log_level"));
      assertEquals(Level.WARN, root().getLevel());

      JsonObject event = published.get(30, TimeUnit.SECONDS);
      assertEquals(60, event.getLong("zombie_execution_threshold_seconds"));
      assertEquals(r.json().getJsonObject("config"), event);
      assertEquals("WARNING", rawColumn("log_level"));

      // The same values again: nothing to reload, nothing to restart.
      Response again = patch("{\"log_level\":\"WARNING\",\"zombie_execution_threshold_seconds\":60}");
      assertEquals(new JsonArray(), again.json().getJsonArray("hot_reloaded"));
      assertEquals(new JsonArray(), again.json().getJsonArray("restart_required"));

      Response critical = patch("{\"log_level\":\"CRITICAL\",\"zombie_execution_threshold_seconds\":0}");
      assertEquals(200, critical.status(), critical.toString());
      assertEquals(Level.ERROR, root().getLevel());
      assertEquals(0, critical.json().getJsonObject("config").getLong("zombie_execution_threshold_seconds"));
    } finally {
      Daemon.await(consumer.unregister());
    }
    // In-process jobs read the current config from the trusted address.
    JsonObject current = Daemon.await(daemon.vertx.eventBus()
        .<JsonObject>request(StoreAddresses.SETTINGS_CLI_CURRENT, new JsonObject())).body();
    assertEquals(0, current.getLong("zombie_execution_threshold_seconds"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"log_level\":\"LOUD\"}",
      "{\"log_level\":3}",
      "{\"zombie_execution_threshold_seconds\":-1}",
      "{\"zombie_execution_threshold_seconds\":\"soon\"}",
      "{\"database_url\":\"mysql://u:p@h/db\"}",
      "{\"database_url\":\"not a url\"}",
      "{\"redis_url\":\"http://cache.example\"}",
      "{\"redis_url\":\"redis://\"}",
      "{\"platform_base_url\":\"ftp://x.example\"}",
      "{\"platform_base_url\":\"not a url\"}",
      "{\"cors_allow_all_origins\":\"yes\"}",
      "{\"sandbox_mode\":false}",
      "{\"log_level\":\"ERROR\",\"zombie_execution_threshold_seconds\":-5}"})
  void invalidValuesAre422AndChangeNothing(String body) throws Exception {
    JsonObject before = daemon.get(S).json().getJsonObject("config");
    Level levelBefore = root().getLevel();
    Response r = patch(body);
    assertEquals(422, r.status(), r.toString());
    assertEquals(before, daemon.get(S).json().getJsonObject("config"));
    assertEquals(levelBefore, root().getLevel());
  }

  @Test
  void recheckEnvironmentDescribesTheRuntimeAndIsStored() throws Exception {
    Files.createDirectories(daemon.pipelitDir);
    Response r = daemon.post(S + "recheck-environment/", null);
    assertEquals(200, r.status(), r.toString());
    assertEquals(Set.of("environment"), r.json().fieldNames());
    JsonObject environment = r.json().getJsonObject("environment");
    assertEquals(System.getProperty("java.version"), environment.getString("java_version"));
    assertEquals(System.getProperty("os.name"), environment.getString("os"));
    assertEquals(Runtime.getRuntime().availableProcessors(), environment.getInteger("cpu_count"));
    assertEquals(backend.name().toLowerCase(), environment.getString("database_backend"));
    assertEquals(daemon.pipelitDir.toString(), environment.getString("pipelit_dir"));
    assertTrue(environment.getBoolean("pipelit_dir_writable"));
    assertNotNull(environment.getLong("disk_free_bytes"));
    try (var leftovers = Files.list(daemon.pipelitDir)) {
      assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().startsWith(".pipelitd-probe-")));
    }
    assertEquals(environment, daemon.get(S).json().getJsonObject("environment"));
  }
}
