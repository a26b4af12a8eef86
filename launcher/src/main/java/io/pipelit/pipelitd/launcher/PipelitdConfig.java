package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.config.DatabaseConfig;
import io.pipelit.pipelitd.contracts.config.HttpConfig;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The merged and validated configuration.
 *
 * @param json        the merged configuration handed to the verticles as their deployment config; a
 *                    relative SQLite {@code DATABASE_URL} is rewritten here to its absolute form
 *                    ({@code sqlite:////abs/path}) so that the verticles never depend on the JVM's
 *                    working directory
 * @param database    the validated database settings
 * @param http        the validated HTTP settings
 * @param databaseUrl the parsed {@code DATABASE_URL} (holds the password: log only {@link DatabaseUrl#describe()})
 * @param workingDir  the directory relative paths were resolved against
 */
public record PipelitdConfig(
    JsonObject json,
    DatabaseConfig database,
    HttpConfig http,
    DatabaseUrl databaseUrl,
    Path workingDir) {

  @Override
  public String toString() {
    return "PipelitdConfig[database=" + databaseUrl.describe() + ", http=" + http.host() + ":" + http.port() + "]";
  }
}
