package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject load(Optional<Path> conf, JsonObject flags, Map<String, String> env) throws Exception {
    return ConfigLoader.load(vertx, dir, conf, flags, env).await(10, TimeUnit.SECONDS);
  }

  private JsonObject load() throws Exception {
    return load(Optional.empty(), new JsonObject(), Map.of());
  }

  private PipelitdConfig loadValid(JsonObject flags, Map<String, String> env) throws Exception {
    return ConfigLoader.loadAndValidate(vertx, dir, Optional.empty(), flags, env).await(10, TimeUnit.SECONDS);
  }

  /** The failure of a load, unwrapped. */
  private Throwable loadFailure(Optional<Path> conf, JsonObject flags, Map<String, String> env) {
    Throwable t = assertThrows(Throwable.class, () -> ConfigLoader.loadAndValidate(vertx, dir, conf, flags, env)
        .await(10, TimeUnit.SECONDS));
    while (t.getCause() != null && !(t instanceof ConfigException) && !(t instanceof ConfigFileException)) {
      t = t.getCause();
    }
    return t;
  }

  private void write(String relative, String text) throws Exception {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  // --- defaults -------------------------------------------------------------------------------

  @Test
  void bundledDefaultsHoldEveryKeyWithTheContractDefault() {
    JsonObject defaults = ConfigLoader.defaults();
    for (String key : ConfigKeys.ALL) {
      if (key.equals(ConfigKeys.FIELD_ENCRYPTION_KEY)) {
        // No default on purpose: a missing key is generated into .env at first start.
        assertFalse(defaults.containsKey(key), "pipelitd-defaults.json must not hold " + key);
        continue;
      }
      assertTrue(defaults.containsKey(key), "pipelitd-defaults.json lacks " + key);
    }
    assertEquals(ConfigKeys.DEFAULT_DATABASE_URL, defaults.getString(ConfigKeys.DATABASE_URL));
    assertEquals(ConfigKeys.DEFAULT_HTTP_HOST, defaults.getString(ConfigKeys.HTTP_HOST));
    assertEquals(ConfigKeys.DEFAULT_HTTP_PORT, defaults.getInteger(ConfigKeys.HTTP_PORT));
    assertEquals(ConfigKeys.DEFAULT_HTTP_MAX_BODY_BYTES, defaults.getLong(ConfigKeys.HTTP_MAX_BODY_BYTES));
    assertEquals(ConfigKeys.DEFAULT_WRITE_QUEUE_CAPACITY, defaults.getInteger(ConfigKeys.WRITE_QUEUE_CAPACITY));
    assertEquals(ConfigKeys.DEFAULT_WRITE_BATCH_SIZE, defaults.getInteger(ConfigKeys.WRITE_BATCH_SIZE));
    assertEquals(ConfigKeys.DEFAULT_READ_POOL_SIZE, defaults.getInteger(ConfigKeys.READ_POOL_SIZE));
    assertEquals(ConfigKeys.DEFAULT_SQLITE_SYNCHRONOUS, defaults.getString(ConfigKeys.SQLITE_SYNCHRONOUS));
    assertEquals(ConfigKeys.DEFAULT_SQLITE_BUSY_TIMEOUT_MS, defaults.getInteger(ConfigKeys.SQLITE_BUSY_TIMEOUT_MS));
    assertEquals(ConfigKeys.DEFAULT_MIGRATE_ON_START, defaults.getBoolean(ConfigKeys.MIGRATE_ON_START));
  }

  @Test
  void withNothingConfiguredTheDefaultsApplyAndSqliteLivesUnderTheWorkingDirectory() throws Exception {
    PipelitdConfig config = loadValid(new JsonObject(), Map.of());
    assertEquals("127.0.0.1", config.http().host());
    assertEquals(8000, config.http().port());
    assertEquals(DatabaseUrl.Backend.SQLITE, config.databaseUrl().backend());
    Path expected = dir.toAbsolutePath().resolve("platform/db.sqlite3").normalize();
    assertEquals(expected, config.databaseUrl().sqlitePath());
    // The verticles get the absolute form, independent of the JVM's working directory.
    assertEquals("sqlite:///" + expected, config.json().getString(ConfigKeys.DATABASE_URL));
    assertEquals("sqlite:///" + expected, config.database().url());
    assertTrue(config.database().migrateOnStart());
  }

  @Test
  void anAbsoluteSqliteUrlIsKeptAsItIs() throws Exception {
    String url = "sqlite:///" + dir.resolve("abs.db").toAbsolutePath() + "?x=1";
    PipelitdConfig config = loadValid(new JsonObject().put(ConfigKeys.DATABASE_URL, url), Map.of());
    assertEquals(url, config.json().getString(ConfigKeys.DATABASE_URL));
  }

  @Test
  void aRelativeSqliteUrlKeepsItsQueryOptions() throws Exception {
    PipelitdConfig config = loadValid(new JsonObject().put(ConfigKeys.DATABASE_URL, "sqlite:///data/x.db?a=b"),
        Map.of());
    assertEquals("sqlite:///" + dir.toAbsolutePath().resolve("data/x.db").normalize() + "?a=b",
        config.json().getString(ConfigKeys.DATABASE_URL));
  }

  // --- precedence -----------------------------------------------------------------------------

  @Test
  void eachLayerOverridesTheOneBelowForTheSameKey() throws Exception {
    String key = ConfigKeys.HTTP_PORT;
    JsonObject flags = new JsonObject().put(key, "8004");
    Map<String, String> env = Map.of(key, "8003");

    assertEquals(8000, ConfigValuesOf.port(load(Optional.empty(), new JsonObject(), Map.of())), "defaults");
    write("conf/pipelitd.json", "{\"" + key + "\": 8001}");
    assertEquals(8001, ConfigValuesOf.port(load(Optional.empty(), new JsonObject(), Map.of())), "conf > defaults");
    write(".env", key + "=8002\n");
    assertEquals(8002, ConfigValuesOf.port(load(Optional.empty(), new JsonObject(), Map.of())), ".env > conf");
    assertEquals(8003, ConfigValuesOf.port(load(Optional.empty(), new JsonObject(), env)), "env > .env");
    assertEquals(8004, ConfigValuesOf.port(load(Optional.empty(), flags, env)), "flags > env");
  }

  @Test
  void layersMergeKeyByKey() throws Exception {
    write("conf/pipelitd.json", "{\"PIPELITD_HTTP_HOST\": \"0.0.0.0\", \"PIPELITD_WRITE_BATCH_SIZE\": 64}");
    write(".env", "PIPELITD_READ_POOL_SIZE=7\n");
    PipelitdConfig config = loadValid(new JsonObject().put(ConfigKeys.HTTP_PORT, "0"),
        Map.of(ConfigKeys.WRITE_QUEUE_CAPACITY, "123"));
    assertEquals("0.0.0.0", config.http().host());
    assertEquals(0, config.http().port());
    assertEquals(64, config.database().writeBatchSize());
    assertEquals(7, config.database().readPoolSize());
    assertEquals(123, config.database().writeQueueCapacity());
    assertEquals(ConfigKeys.DEFAULT_SQLITE_BUSY_TIMEOUT_MS, config.database().sqliteBusyTimeoutMs());
  }

  @Test
  void aConfFileGivenWithConfReplacesTheDefaultConfFile() throws Exception {
    write("conf/pipelitd.json", "{\"PIPELITD_HTTP_PORT\": 8001, \"PIPELITD_HTTP_HOST\": \"10.0.0.1\"}");
    write("other.json", "{\"PIPELITD_HTTP_PORT\": 9001}");
    JsonObject merged = load(Optional.of(Path.of("other.json")), new JsonObject(), Map.of());
    assertEquals(9001, ConfigValuesOf.port(merged));
    assertEquals("127.0.0.1", merged.getString(ConfigKeys.HTTP_HOST), "conf/pipelitd.json is not read with --conf");
  }

  @Test
  void onlyPipelitdKeysAreTakenFromTheEnvironmentAndDotEnv() throws Exception {
    write(".env", "REDIS_URL=redis://x\nFIELD_ENCRYPTION_KEY_NOT_OURS=abc\nPIPELITD_HTTP_HOST=localhost\n");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin");
    env.put("HOME", "/root");
    env.put(ConfigKeys.READ_POOL_SIZE, "3");
    JsonObject merged = load(Optional.empty(), new JsonObject(), env);
    assertFalse(merged.containsKey("PATH"));
    assertFalse(merged.containsKey("HOME"));
    assertFalse(merged.containsKey("REDIS_URL"));
    assertEquals("localhost", merged.getString(ConfigKeys.HTTP_HOST));
    assertEquals("3", String.valueOf(merged.getValue(ConfigKeys.READ_POOL_SIZE)));
  }

  @Test
  void emptyValuesInDotEnvAndTheEnvironmentDoNotHideLowerLayers() throws Exception {
    write("conf/pipelitd.json", "{\"PIPELITD_HTTP_HOST\": \"10.1.1.1\", \"PIPELITD_HTTP_PORT\": 8100}");
    write(".env", "PIPELITD_HTTP_HOST=\n");
    JsonObject merged = load(Optional.empty(), new JsonObject(), Map.of(ConfigKeys.HTTP_PORT, " "));
    assertEquals("10.1.1.1", merged.getString(ConfigKeys.HTTP_HOST));
    assertEquals(8100, ConfigValuesOf.port(merged));
  }

  @Test
  void noMigrateFlagTurnsMigrationsOff() throws Exception {
    PipelitdConfig config = loadValid(new JsonObject().put(ConfigKeys.MIGRATE_ON_START, false),
        Map.of(ConfigKeys.MIGRATE_ON_START, "true"));
    assertFalse(config.database().migrateOnStart());
  }

  // --- .env parsing ---------------------------------------------------------------------------

  @Test
  void dotEnvParsingHandlesCommentsExportQuotesAndEqualsSigns() {
    String text = String.join("\n",
        "\uFEFF# a comment",
        "",
        "   # an indented comment",
        "PLAIN=value",
        "export EXPORTED=yes",
        "export\tTABBED = spaced value   ",
        "EQUALS=a=b=c",
        "URL=postgresql://u:p@h:5432/db?sslmode=require",
        "INLINE=value # a comment",
        "HASH=abc#def",
        "LEADING_HASH=#notacomment",
        "SINGLE='single # not a comment $HOME \\n'",
        "DOUBLE=\"double \\\"quoted\\\" \\n line \\\\ end\" # trailing comment",
        "EMPTY=",
        "EMPTY_QUOTED=\"\"",
        "MULTI=\"first",
        "second\"",
        "CRLF=windows\r",
        "DUP=1",
        "DUP=2",
        "exportNOT=kept");
    DotEnv.Result result = DotEnv.parse(text);
    Map<String, String> v = result.values();
    assertEquals(List.of(), result.problems());
    assertEquals("value", v.get("PLAIN"));
    assertEquals("yes", v.get("EXPORTED"));
    assertEquals("spaced value", v.get("TABBED"));
    assertEquals("a=b=c", v.get("EQUALS"));
    assertEquals("postgresql://u:p@h:5432/db?sslmode=require", v.get("URL"));
    assertEquals("value", v.get("INLINE"));
    assertEquals("abc#def", v.get("HASH"));
    assertEquals("#notacomment", v.get("LEADING_HASH"));
    assertEquals("single # not a comment $HOME \\n", v.get("SINGLE"));
    assertEquals("double \"quoted\" \n line \\ end", v.get("DOUBLE"));
    assertEquals("", v.get("EMPTY"));
    assertEquals("", v.get("EMPTY_QUOTED"));
    assertEquals("first\nsecond", v.get("MULTI"));
    assertEquals("windows", v.get("CRLF"));
    assertEquals("2", v.get("DUP"));
    assertEquals("kept", v.get("exportNOT"));
  }

  @Test
  void dotEnvReportsBadLinesWithTheirNumbersAndKeepsGoing() {
    DotEnv.Result result = DotEnv.parse("A=1\nnot a pair\n1BAD=x\nQ=\"open\nB=2\nC='x' trailing\nD=4\n");
    assertEquals("1", result.values().get("A"));
    assertEquals("2", result.values().get("B"));
    assertEquals("4", result.values().get("D"));
    assertNull(result.values().get("Q"));
    assertNull(result.values().get("C"));
    assertEquals(List.of(
        new DotEnv.Problem(2, null, "expected KEY=VALUE"),
        new DotEnv.Problem(3, null, "invalid variable name '1BAD'"),
        new DotEnv.Problem(4, "Q", "unterminated double-quoted value"),
        new DotEnv.Problem(6, "C", "unexpected text after the closing quote")), result.problems());
  }

  @Test
  void aBadDotEnvLineForAPipelitdKeyIsAnErrorNamingTheFileAndLine() throws Exception {
    write(".env", "OTHER=ok\nDATABASE_URL=\"sqlite:///x.db\n");
    Throwable failure = loadFailure(Optional.empty(), new JsonObject(), Map.of());
    ConfigFileException e = assertInstanceOf(ConfigFileException.class, failure);
    assertTrue(e.getMessage().contains(".env"), e.getMessage());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("DATABASE_URL"), e.getMessage());
  }

  @Test
  void aBadDotEnvLineForAnotherKeyIsSkipped() throws Exception {
    write(".env", "garbage line\nOTHER='unterminated\nPIPELITD_HTTP_PORT=8123\n");
    assertEquals(8123, ConfigValuesOf.port(load()));
  }

  // --- file errors ----------------------------------------------------------------------------

  @Test
  void aMissingConfFileIsAnErrorNamingIt() {
    Throwable failure = loadFailure(Optional.of(Path.of("nope/pipelitd.json")), new JsonObject(), Map.of());
    ConfigFileException e = assertInstanceOf(ConfigFileException.class, failure);
    assertTrue(e.getMessage().contains(dir.resolve("nope/pipelitd.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void aMissingDefaultConfFileIsFine() throws Exception {
    assertEquals(8000, ConfigValuesOf.port(load()));
  }

  @Test
  void aMalformedConfFileIsAnErrorNamingTheFile() throws Exception {
    write("conf/pipelitd.json", "{\"PIPELITD_HTTP_PORT\": 8001,,}");
    Throwable failure = loadFailure(Optional.empty(), new JsonObject(), Map.of());
    ConfigFileException e = assertInstanceOf(ConfigFileException.class, failure);
    assertTrue(e.getMessage().contains(dir.resolve("conf/pipelitd.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aConfFileThatIsNotAnObjectIsAnError() throws Exception {
    write("list.json", "[1, 2]");
    Throwable failure = loadFailure(Optional.of(dir.resolve("list.json")), new JsonObject(), Map.of());
    ConfigFileException e = assertInstanceOf(ConfigFileException.class, failure);
    assertTrue(e.getMessage().contains("list.json"), e.getMessage());
  }

  // --- validation -----------------------------------------------------------------------------

  @Test
  void anInvalidPortNamesTheKey() {
    for (String bad : List.of("99999", "-1", "http", "80.5")) {
      Throwable failure = loadFailure(Optional.empty(), new JsonObject().put(ConfigKeys.HTTP_PORT, bad), Map.of());
      ConfigException e = assertInstanceOf(ConfigException.class, failure, bad);
      assertEquals(ConfigKeys.HTTP_PORT, e.key());
      assertTrue(e.getMessage().contains(ConfigKeys.HTTP_PORT), e.getMessage());
    }
  }

  @Test
  void anInvalidStopTimeoutOrLogFormatNamesTheKey() {
    for (Map.Entry<String, String> bad : Map.of(ConfigKeys.STOP_TIMEOUT_MS, "soon", ConfigKeys.LOG_FORMAT, "xml")
        .entrySet()) {
      ConfigException e = assertInstanceOf(ConfigException.class,
          loadFailure(Optional.empty(), new JsonObject(), Map.of(bad.getKey(), bad.getValue())), bad.toString());
      assertEquals(bad.getKey(), e.key());
    }
  }

  @Test
  void anInvalidQueueSizeFromTheEnvironmentNamesTheKey() {
    Throwable failure = loadFailure(Optional.empty(), new JsonObject(),
        Map.of(ConfigKeys.WRITE_QUEUE_CAPACITY, "0"));
    ConfigException e = assertInstanceOf(ConfigException.class, failure);
    assertEquals(ConfigKeys.WRITE_QUEUE_CAPACITY, e.key());
  }

  @Test
  void anInvalidValueInTheConfFileNamesTheKey() throws Exception {
    write("conf/pipelitd.json", "{\"PIPELITD_WRITE_BATCH_SIZE\": \"lots\"}");
    ConfigException e = assertInstanceOf(ConfigException.class,
        loadFailure(Optional.empty(), new JsonObject(), Map.of()));
    assertEquals(ConfigKeys.WRITE_BATCH_SIZE, e.key());
  }

  @Test
  void aBadDatabaseUrlNamesTheKeyAndNeverShowsThePassword() {
    List<String> urls = List.of(
        "postgresql://admin:Sup3rSecretPw@db.example:notaport/pipelit",
        "mysql://admin:Sup3rSecretPw@db.example/pipelit",
        "postgresql://admin:Sup3rSecretPw@db.example:5432/",
        "Sup3rSecretPw",
        "sqlite://relative.db");
    for (String url : urls) {
      Throwable failure = loadFailure(Optional.empty(), new JsonObject(), Map.of(ConfigKeys.DATABASE_URL, url));
      ConfigException e = assertInstanceOf(ConfigException.class, failure, url);
      assertEquals(ConfigKeys.DATABASE_URL, e.key());
      assertTrue(e.getMessage().contains("DATABASE_URL"), e.getMessage());
      assertFalse(e.getMessage().contains("Sup3rSecretPw"), e.getMessage());
    }
  }

  @Test
  void redactRemovesRawAndDecodedPasswords() {
    String url = "postgresql://me:p%40ss@host/db";
    assertEquals("bad *** and ***", ConfigLoader.redact("bad p%40ss and p@ss", url));
    assertEquals("nothing", ConfigLoader.redact("nothing", "sqlite:///x.db"));
  }

  @Test
  void aPostgresUrlIsParsedAndDescribedWithoutItsPassword() throws Exception {
    PipelitdConfig config = loadValid(new JsonObject().put(ConfigKeys.DATABASE_URL,
        "postgresql://pipelit:Sup3rSecretPw@db.example:5433/pipelit"), Map.of());
    assertEquals(DatabaseUrl.Backend.POSTGRESQL, config.databaseUrl().backend());
    assertFalse(config.toString().contains("Sup3rSecretPw"));
    assertFalse(config.databaseUrl().describe().contains("Sup3rSecretPw"));
  }

  /** Reads the port the way the verticles do (numbers and numeric strings alike). */
  private static final class ConfigValuesOf {
    static int port(JsonObject config) {
      return (int) io.pipelit.pipelitd.contracts.config.ConfigValues.integer(config, ConfigKeys.HTTP_PORT,
          -1, 0, 65_535);
    }
  }
}
