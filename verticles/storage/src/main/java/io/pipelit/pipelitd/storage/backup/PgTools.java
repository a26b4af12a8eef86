package io.pipelit.pipelitd.storage.backup;

import io.pipelit.pipelitd.storage.DatabaseUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL client tools ({@code pg_dump}, {@code pg_restore}) run as child processes. The password
 * goes in the child's environment ({@code PGPASSWORD}), never on its command line (visible to every local
 * user in the process list) nor in a log line.
 */
public final class PgTools {
  private PgTools() {}

  private static final Pattern VERSION = Pattern.compile("\\)\\s+(\\d+)(?:\\.(\\d+))?");

  /** What a finished child process said. */
  public record Outcome(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /**
   * The major version of a client tool on PATH (e.g. 15 for "pg_dump (PostgreSQL) 15.18"), or -1 when
   * it is not installed or does not answer.
   */
  public static int toolMajorVersion(String tool) {
    try {
      Outcome outcome = run(List.of(tool, "--version"), Map.of(), null);
      Matcher matcher = VERSION.matcher(outcome.stdout());
      return outcome.ok() && matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** The server's major version (e.g. 15). */
  public static int serverMajorVersion(DatabaseUrl url) throws SQLException {
    try (Connection connection = connect(url); Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SHOW server_version_num")) {
      rows.next();
      return Integer.parseInt(rows.getString(1).trim()) / 10_000;
    }
  }

  /**
   * Null when pg_dump can back up this server (installed, at least as new as the server), else the
   * reason, for a warning at start.
   */
  public static String pgDumpProblem(DatabaseUrl url) {
    int tool = toolMajorVersion("pg_dump");
    if (tool < 0) {
      return "pg_dump is not on PATH (install the PostgreSQL client tools, e.g. Debian's postgresql-client)";
    }
    try {
      int server = serverMajorVersion(url);
      return tool >= server ? null : "pg_dump " + tool + " is older than the server (" + server
          + "); install a client at least as new as the server";
    } catch (SQLException e) {
      return "cannot read the server version: " + e.getMessage();
    }
  }

  /** A JDBC connection with the URL's user and password as properties (never in the URL). */
  public static Connection connect(DatabaseUrl url) throws SQLException {
    Properties properties = new Properties();
    if (url.user() != null) {
      properties.setProperty("user", url.user());
    }
    if (url.password() != null) {
      properties.setProperty("password", url.password());
    }
    return DriverManager.getConnection(url.jdbcUrl(), properties);
  }

  /** Connection options for a libpq tool: flags for host, port, user and database; secrets in the environment. */
  static List<String> connectionArguments(DatabaseUrl url) {
    List<String> arguments = new ArrayList<>(List.of("--no-password", "--host", url.host(), "--port",
        Integer.toString(url.port()), "--dbname", url.database()));
    if (url.user() != null) {
      arguments.add("--username");
      arguments.add(url.user());
    }
    return arguments;
  }

  static Map<String, String> environment(DatabaseUrl url) {
    Map<String, String> environment = new java.util.HashMap<>();
    if (url.password() != null) {
      environment.put("PGPASSWORD", url.password());
    }
    Map<String, String> options = url.options() == null ? Map.of() : url.options();
    copy(options, "sslmode", environment, "PGSSLMODE");
    copy(options, "sslrootcert", environment, "PGSSLROOTCERT");
    copy(options, "sslcert", environment, "PGSSLCERT");
    copy(options, "sslkey", environment, "PGSSLKEY");
    copy(options, "connect_timeout", environment, "PGCONNECT_TIMEOUT");
    environment.put("PGAPPNAME", "pipelitd-backup");
    return environment;
  }

  private static void copy(Map<String, String> from, String key, Map<String, String> to, String variable) {
    if (from.get(key) != null) {
      to.put(variable, from.get(key));
    }
  }

  /**
   * Runs a command to its end, capturing its output. With a cancellation, cancelling destroys the process.
   */
  static Outcome run(List<String> command, Map<String, String> environment, Cancellation cancellation)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process = builder.start();
    process.getOutputStream().close();
    if (cancellation != null) {
      cancellation.onCancel(process::destroy);
    }
    try {
      CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
      String stderr = drain(process.getErrorStream());
      int exit = process.waitFor();
      return new Outcome(exit, stdout.join(), stderr);
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + command.get(0), e);
    } finally {
      if (cancellation != null) {
        cancellation.onCancel(null);
      }
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
