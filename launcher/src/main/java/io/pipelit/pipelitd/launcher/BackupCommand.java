package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.backup.Retention;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.pipelit.pipelitd.storage.backup.BackupCatalog;
import io.pipelit.pipelitd.storage.backup.BackupFiles;
import io.pipelit.pipelitd.storage.backup.BackupFormat;
import io.pipelit.pipelitd.storage.backup.BackupManifest;
import io.pipelit.pipelitd.storage.backup.BackupTaker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd backup now} and {@code pipelitd backup list}. {@code now} goes through the running
 * daemon ({@code POST /api/v1/backups/}) when one serves the database and an admin key is in
 * {@code PIPELITD_API_KEY}; otherwise it takes the backup itself, on the files (a SQLite copy reads one
 * snapshot and never blocks a daemon's writer, so this is safe beside a running daemon too).
 */
@Command(name = "backup", synopsisSubcommandLabel = "COMMAND", exitCodeOnInvalidInput = ExitCodes.USAGE,
    subcommands = {BackupCommand.Now.class, BackupCommand.ListBackups.class},
    description = "Take or list backups of the main and the checkpoint database (BACKUP_DIR).")
final class BackupCommand extends CommandGroup {

  /** The environment variable holding an admin API key, for going through a running daemon. */
  static final String API_KEY_ENV = "PIPELITD_API_KEY";

  /** A backup of a large database may take long. */
  private static final Duration HTTP_TIMEOUT = Duration.ofHours(2);

  @Command(name = "now", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
      description = {"Take a verified backup now and print its manifest (JSON) on stdout; progress on stderr.",
          "Through the running daemon when there is one and PIPELITD_API_KEY holds an admin key; else directly."})
  static final class Now implements Callable<Integer> {
    @ParentCommand
    BackupCommand parent;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "auto, pg_dump or portable (default: BACKUP_PG_FORMAT). portable needs no external tool"
            + " and restores into either backend; taken directly, not through a running daemon.")
    String format;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
      LaunchContext context = parent.main.context;
      BackupCommands.Setup setup = BackupCommands.load(parent.main);
      BackupFormat chosen;
      try {
        // BACKUP_PG_FORMAT is about PostgreSQL; --format portable also applies to a SQLite database.
        chosen = BackupFormat.chosen(format != null ? format
            : setup.main().backend() == DatabaseUrl.Backend.POSTGRESQL ? setup.backups().pgFormat() : null);
      } catch (IllegalArgumentException e) {
        Failures.report(context.err(), "--format: " + e.getMessage() + " (use auto, pg_dump or portable)", null,
            false);
        return ExitCodes.USAGE;
      }
      var progress = BackupCommands.progress(context.err());
      String key = context.env().get(API_KEY_ENV);
      boolean daemon = daemonServes(setup);
      if (daemon && key != null && !key.isBlank() && format == null) {
        progress.accept("a daemon serves " + setup.main().describe() + ": asking it for the backup");
        return throughDaemon(setup, key, context);
      }
      if (daemon) {
        progress.accept("a daemon serves " + setup.main().describe() + " (set " + API_KEY_ENV
            + " to go through it); taking the backup beside it from a read snapshot");
      }
      JsonObject manifest = BackupTaker.take(new BackupTaker.Request(setup.main(), setup.checkpoints(),
          setup.backups().dir(), BackupManifest.KIND_MANUAL, setup.backups().compress(),
          Version.current(), setup.keyFingerprint(), null, null, progress, null).withFormat(chosen));
      context.out().println(manifest.encode());
      context.out().flush();
      if (!BackupManifest.STATUS_VERIFIED.equals(manifest.getString("status"))) {
        Failures.report(context.err(), "the backup failed: " + manifest.getString("error"), null, false);
        return ExitCodes.FAILURE;
      }
      progress.accept("backup " + manifest.getString("name") + " written and verified in "
          + BackupCommands.dir(setup).resolve(manifest.getString("name")));
      if (!daemon) {
        applyRetention(setup, progress);
      }
      return ExitCodes.OK;
    }

    /** True when a daemon holds the SQLite instance guard, or, for PostgreSQL, answers on its HTTP address. */
    private static boolean daemonServes(BackupCommands.Setup setup) {
      if (setup.main().backend() == DatabaseUrl.Backend.SQLITE) {
        try (InstanceGuard guard = InstanceGuard.acquire(setup.main())) {
          return false;
        } catch (Failures.UserFacingException held) {
          return true;
        }
      }
      try {
        HttpResponse<String> health = client().send(HttpRequest.newBuilder(URI.create(base(setup) + "/health"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return health.statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    private static int throughDaemon(BackupCommands.Setup setup, String key, LaunchContext context) throws Exception {
      HttpResponse<String> response = client().send(HttpRequest.newBuilder(URI.create(base(setup) + "/api/v1/backups/"))
          .timeout(HTTP_TIMEOUT).header("Authorization", "Bearer " + key)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 201) {
        context.out().println(new JsonObject(response.body()).encode());
        context.out().flush();
        return ExitCodes.OK;
      }
      Failures.report(context.err(), "the daemon answered " + response.statusCode() + ": " + response.body(), null, false);
      return ExitCodes.FAILURE;
    }

    private static void applyRetention(BackupCommands.Setup setup, java.util.function.Consumer<String> progress)
        throws IOException {
      List<JsonObject> all = BackupCatalog.list(setup.backups().dir());
      for (String name : Retention.expired(all, setup.backups().keepLast(), setup.backups().maxAgeDays(), Instant.now())) {
        BackupFiles.deleteTree(BackupManifest.folderOf(setup.backups().dir(), name));
        progress.accept("retention: deleted backup " + name);
      }
    }

    private static HttpClient client() {
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static String base(BackupCommands.Setup setup) {
      return "http://" + Daemon.hostPort(setup.config().http().host(), setup.config().http().port());
    }
  }

  @Command(name = "list", exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.FAILURE,
      description = "List the backups in BACKUP_DIR, newest first: name, kind, status, created_at, bytes, error.")
  static final class ListBackups implements Callable<Integer> {
    @ParentCommand
    BackupCommand parent;

    @Option(names = "--json", description = "Print {items, total} as one JSON line instead of a table.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
      LaunchContext context = parent.main.context;
      BackupCommands.Setup setup = BackupCommands.load(parent.main);
      List<JsonObject> all = BackupCatalog.list(setup.backups().dir());
      if (json) {
        context.out().println(new JsonObject().put("items", new JsonArray(new java.util.ArrayList<>(all)))
            .put("total", all.size()).encode());
      } else {
        for (JsonObject manifest : all) {
          long bytes = 0;
          for (Object file : manifest.getJsonArray("files", new JsonArray())) {
            bytes += ((JsonObject) file).getLong("size", 0L);
          }
          context.out().println(manifest.getString("name") + "\t" + manifest.getString("kind") + "\t"
              + manifest.getString("status") + "\t" + manifest.getString("created_at") + "\t" + bytes
              + (manifest.getString("error") == null ? "" : "\t" + manifest.getString("error")));
        }
        if (all.isEmpty()) {
          context.err().println("no backups in " + setup.backups().dir());
        }
      }
      context.out().flush();
      return ExitCodes.OK;
    }
  }
}
