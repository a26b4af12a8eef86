package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.CheckpointConfig;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.config.ConfigValues;
import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.pipelit.pipelitd.contracts.config.HttpConfig;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads pipelitd's configuration through vertx-config, with the stores declared explicitly
 * ({@code setIncludeDefaultStores(false)}), lowest to highest precedence:
 * <ol>
 *   <li>bundled defaults: the classpath resource {@value #DEFAULTS_RESOURCE};</li>
 *   <li>the conf file: {@code --conf FILE} (must exist), else {@code conf/pipelitd.json} in the working
 *       directory when it exists;</li>
 *   <li>{@code .env} in the working directory, when it exists (parsed by {@link DotEnv});</li>
 *   <li>environment variables;</li>
 *   <li>command-line flags.</li>
 * </ol>
 *
 * <p>Every layer is added as a vertx-config {@code json} store holding an already-read object. For the
 * environment this is a deliberate choice over vertx-config's {@code env} store: the caller passes the
 * environment map in ({@code System.getenv()} in production, a plain map in tests), so precedence is
 * testable without touching the process environment. Like the {@code env} store with {@code keys},
 * only the names in {@link ConfigKeys#ALL} are taken from the environment and from {@code .env} (a
 * {@code .env} shared with Pipelit holds many unrelated variables); values stay strings, which
 * {@link io.pipelit.pipelitd.contracts.config.ConfigValues} reads as well as numbers. An empty value
 * in {@code .env} or the environment ({@code DATABASE_URL=}) counts as unset, so it does not hide a
 * lower layer. The conf file is read here rather than by the {@code file} store so that a missing or
 * malformed file gives a message naming the file.
 *
 * <p>Nothing here logs configuration values: {@code DATABASE_URL} may hold a password.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  /** Classpath resource with every key of {@link ConfigKeys#ALL} and its default. */
  public static final String DEFAULTS_RESOURCE = "pipelitd-defaults.json";
  /** The conf file read when {@code --conf} is not given, relative to the working directory. */
  public static final Path DEFAULT_CONF_FILE = Path.of("conf", "pipelitd.json");
  /** The dotenv file read from the working directory. */
  public static final String DOTENV_FILE = ".env";

  /**
   * Loads and merges every layer, without validating values.
   *
   * @param vertx      used by vertx-config
   * @param workingDir base of {@code conf/pipelitd.json}, {@code .env} and a relative {@code --conf}
   * @param confFile   the {@code --conf} file, which must exist; empty for the optional default file
   * @param flags      the command-line layer: keys of {@link ConfigKeys}, values as given
   * @param env        the environment ({@code System.getenv()}); only {@link ConfigKeys#ALL} is read
   * @return the merged configuration, or a failure with {@link ConfigFileException}
   */
  public static Future<JsonObject> load(Vertx vertx, Path workingDir, Optional<Path> confFile,
      JsonObject flags, Map<String, String> env) {
    ConfigRetrieverOptions options;
    try {
      options = retrieverOptions(workingDir, confFile, flags, env);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().andThen(done -> retriever.close());
  }

  /**
   * {@link #load} then {@link #validate}: fails with {@link ConfigFileException} or
   * {@link ConfigException}, whose messages are one line naming the file or the key.
   */
  public static Future<PipelitdConfig> loadAndValidate(Vertx vertx, Path workingDir, Optional<Path> confFile,
      JsonObject flags, Map<String, String> env) {
    return load(vertx, workingDir, confFile, flags, env).map(merged -> validate(merged, workingDir));
  }

  /**
   * Validates the merged configuration eagerly (database and HTTP settings, {@code DATABASE_URL}) and
   * rewrites a relative SQLite URL to its absolute form.
   *
   * @throws ConfigException naming the first invalid key; its message never contains the database password
   */
  public static PipelitdConfig validate(JsonObject merged, Path workingDir) {
    JsonObject json = merged.copy();
    DatabaseConfig database = DatabaseConfig.from(json);
    HttpConfig http = HttpConfig.from(json);
    String url = database.url();
    DatabaseUrl parsed;
    try {
      parsed = DatabaseUrl.parse(url, workingDir.toAbsolutePath());
    } catch (IllegalArgumentException e) {
      String detail = e.getMessage() == null ? "cannot be parsed" : redact(e.getMessage(), url);
      String prefix = ConfigKeys.DATABASE_URL + " ";
      throw new ConfigException(ConfigKeys.DATABASE_URL,
          detail.startsWith(prefix) ? detail.substring(prefix.length()) : "is not valid: " + detail);
    }
    if (parsed.backend() == DatabaseUrl.Backend.SQLITE && !url.startsWith("sqlite:////")) {
      json.put(ConfigKeys.DATABASE_URL, absoluteSqliteUrl(url, parsed));
      database = DatabaseConfig.from(json);
    }
    ConfigValues.integer(json, ConfigKeys.STOP_TIMEOUT_MS, ConfigKeys.DEFAULT_STOP_TIMEOUT_MS, 1_000, 3_600_000);
    String logFormat = ConfigValues.string(json, ConfigKeys.LOG_FORMAT, ConfigKeys.DEFAULT_LOG_FORMAT);
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new ConfigException(ConfigKeys.LOG_FORMAT, "must be text or json (got '" + logFormat + "')");
    }
    validateCheckpoints(json, workingDir);
    // The backup folder made absolute, as DATABASE_URL: verticles and commands never depend on the JVM's
    // working directory.
    io.pipelit.pipelitd.contracts.config.BackupConfig backups = io.pipelit.pipelitd.contracts.config.BackupConfig.from(json);
    json.put(ConfigKeys.BACKUP_DIR, workingDir.toAbsolutePath().resolve(backups.dir()).normalize().toString());
    if (backups.scheduled()) {
      try {
        io.pipelit.pipelitd.backup.CronSchedule.parse(backups.schedule());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(ConfigKeys.BACKUP_SCHEDULE, "is not a valid cron expression: " + e.getMessage());
      }
    }
    Object fieldKey = json.getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
    if (fieldKey != null && !fieldKey.toString().isBlank()) {
      // A malformed key stops here (exit 2); the message names the key's position, never its text.
      io.pipelit.pipelitd.crypto.FieldKeyring.parse(fieldKey.toString());
    }
    return new PipelitdConfig(json, database, http, parsed, workingDir.toAbsolutePath());
  }

  static ConfigRetrieverOptions retrieverOptions(Path workingDir, Optional<Path> confFile, JsonObject flags,
      Map<String, String> env) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(-1)
        .addStore(jsonStore(defaults()));
    confFileLayer(workingDir, confFile).ifPresent(conf -> options.addStore(jsonStore(conf)));
    options.addStore(jsonStore(dotEnvLayer(workingDir.resolve(DOTENV_FILE))));
    options.addStore(jsonStore(envLayer(env)));
    options.addStore(jsonStore(flags == null ? new JsonObject() : flags.copy()));
    return options;
  }

  private static ConfigStoreOptions jsonStore(JsonObject config) {
    return new ConfigStoreOptions().setType("json").setConfig(config);
  }

  /** The bundled defaults. */
  static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + DEFAULTS_RESOURCE);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<JsonObject> confFileLayer(Path workingDir, Optional<Path> confFile) {
    if (confFile.isPresent()) {
      Path file = workingDir.resolve(confFile.get()).normalize();
      if (!Files.exists(file)) {
        throw new ConfigFileException(file, "not found");
      }
      return Optional.of(readJsonFile(file));
    }
    Path file = workingDir.resolve(DEFAULT_CONF_FILE);
    return Files.exists(file) ? Optional.of(readJsonFile(file)) : Optional.empty();
  }

  static JsonObject readJsonFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new ConfigFileException(file, "is a directory, not a JSON file");
    }
    String text = readText(file);
    if (text.isBlank()) {
      return new JsonObject();
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new ConfigFileException(file, "is not valid JSON (" + jsonProblem(e) + ")");
    }
    if (!(value instanceof JsonObject object)) {
      throw new ConfigFileException(file, "must hold a JSON object of KEY: value pairs");
    }
    for (String key : object.fieldNames()) {
      if (!ConfigKeys.ALL.contains(key)) {
        LOG.warn("{}: unknown key {} (not a pipelitd setting; it has no effect)", file, key);
      }
    }
    return object;
  }

  /** The {@code .env} layer: only pipelitd keys, empty values left out. */
  static JsonObject dotEnvLayer(Path file) {
    JsonObject layer = new JsonObject();
    if (!Files.isRegularFile(file)) {
      return layer;
    }
    DotEnv.Result result = DotEnv.parse(readText(file));
    for (DotEnv.Problem problem : result.problems()) {
      if (problem.key() != null && ConfigKeys.ALL.contains(problem.key())) {
        throw new ConfigFileException(file, "line " + problem.line() + ": " + problem.key() + ": "
            + problem.message());
      }
      LOG.warn("{}: line {} skipped: {}", file, problem.line(), problem.message());
    }
    result.values().forEach((key, value) -> {
      if (ConfigKeys.ALL.contains(key) && !value.isBlank()) {
        layer.put(key, value);
      }
    });
    return layer;
  }

  /** The environment layer: only pipelitd keys, empty values left out. */
  static JsonObject envLayer(Map<String, String> env) {
    JsonObject layer = new JsonObject();
    if (env == null) {
      return layer;
    }
    // TreeMap: a stable order, whatever map the caller passes.
    new TreeMap<>(env).forEach((key, value) -> {
      if (key != null && value != null && ConfigKeys.ALL.contains(key) && !value.isBlank()) {
        layer.put(key, value);
      }
    });
    return layer;
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigFileException(file, "not found");
    } catch (MalformedInputException e) {
      throw new ConfigFileException(file, "is not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigFileException(file, "cannot be read (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
  }

  /** Jackson's first message line, without the source excerpt. */
  private static String jsonProblem(DecodeException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = cause.getMessage() == null ? "malformed" : cause.getMessage();
    if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
      message = jpe.getOriginalMessage();
      if (jpe.getLocation() != null) {
        message += " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
      }
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static final Pattern USERINFO = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)@");

  /** Removes a URL's password (raw and decoded) from a message. */
  static String redact(String message, String url) {
    if (message == null || url == null) {
      return message;
    }
    Matcher m = USERINFO.matcher(url.trim());
    if (!m.find()) {
      return message;
    }
    String userInfo = m.group(1);
    int colon = userInfo.indexOf(':');
    if (colon < 0 || colon == userInfo.length() - 1) {
      return message;
    }
    String password = userInfo.substring(colon + 1);
    String redacted = message.replace(password, "***");
    try {
      String decoded = URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8);
      if (!decoded.isEmpty()) {
        redacted = redacted.replace(decoded, "***");
      }
    } catch (IllegalArgumentException ignored) {
      // a malformed %-escape: the raw form is already gone
    }
    return redacted;
  }

  /** {@code sqlite:///rel/x.db?opts} → {@code sqlite:////abs/rel/x.db?opts}. */
  /**
   * Validates the checkpoint settings and rewrites a relative SQLite {@code CHECKPOINTS_DATABASE_URL} to
   * its absolute form, as for {@code DATABASE_URL}.
   */
  private static void validateCheckpoints(JsonObject json, Path workingDir) {
    String url = CheckpointConfig.from(json).url();
    DatabaseUrl parsed;
    try {
      parsed = DatabaseUrl.parse(url, workingDir.toAbsolutePath());
    } catch (IllegalArgumentException e) {
      String detail = e.getMessage() == null ? "cannot be parsed" : redact(e.getMessage(), url);
      throw new ConfigException(ConfigKeys.CHECKPOINTS_DATABASE_URL, "is not valid: " + detail);
    }
    if (parsed.backend() == DatabaseUrl.Backend.SQLITE && !url.startsWith("sqlite:////")) {
      json.put(ConfigKeys.CHECKPOINTS_DATABASE_URL, absoluteSqliteUrl(url, parsed));
    }
  }

  private static String absoluteSqliteUrl(String url, DatabaseUrl parsed) {
    int query = url.indexOf('?');
    String suffix = query < 0 ? "" : url.substring(query);
    // The parser takes the path literally (no %-decoding), so the absolute path goes in as it is.
    return "sqlite:///" + parsed.sqlitePath() + suffix;
  }
}
