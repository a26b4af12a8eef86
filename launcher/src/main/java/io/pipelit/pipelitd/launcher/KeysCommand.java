package io.pipelit.pipelitd.launcher;

import io.pipelit.pipelitd.contracts.StoreAddresses;
import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipelitd keys ...}: field-encryption keys ({@code generate}, {@code rotate}). API keys of users
 * ({@code keys create}) belong here too.
 */
@Command(name = "keys", exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.FAILURE,
    subcommands = {KeysCommand.Generate.class, KeysCommand.Rotate.class, KeysCreateCommand.class},
    description = "Keys: FIELD_ENCRYPTION_KEY generation and rotation; API keys of users (create).")
final class KeysCommand extends CommandGroup {

  /** {@code keys generate}: prints a new Fernet key; touches no database. */
  @Command(name = "generate", exitCodeOnInvalidInput = ExitCodes.USAGE,
      description = {"Print a new FIELD_ENCRYPTION_KEY (44 characters, as Python's Fernet.generate_key()).",
          "To rotate: put it FIRST in FIELD_ENCRYPTION_KEY, keep the old key after a comma, restart,",
          "then run `pipelitd keys rotate`."})
  static final class Generate implements Callable<Integer> {
    @ParentCommand
    KeysCommand keys;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
      PrintStream out = keys.main.context.out();
      out.println(FieldKeyring.generateKey());
      out.flush();
      return ExitCodes.OK;
    }
  }

  /**
   * {@code keys rotate}: re-encrypts every encrypted value with the first key of
   * {@code FIELD_ENCRYPTION_KEY}, in batches written through the store's writer. Values already on the
   * first key are skipped, so an interrupted rotation is finished by running it again.
   */
  @Command(name = "rotate", exitCodeOnInvalidInput = ExitCodes.USAGE,
      exitCodeOnExecutionException = ExitCodes.FAILURE,
      description = {"Re-encrypt every stored secret with the FIRST key of FIELD_ENCRYPTION_KEY (plaintext",
          "left by an older database is encrypted too). Safe to interrupt and run again; works on a live",
          "database. Exit 1 when some value opens with none of the keys (table, column and row ids are named)."})
  static final class Rotate implements Callable<Integer> {
    private static final long REQUEST_TIMEOUT_MS = 120_000;

    @ParentCommand
    KeysCommand keys;

    @Option(names = "--database-url", paramLabel = "URL", description = "Overrides DATABASE_URL.")
    String databaseUrl;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "200",
        description = "Rows read and written per batch (1..10000, default ${DEFAULT-VALUE}).")
    int batchSize;

    /** Test hook: stop (exit 1) after this many batches, as an interruption would. */
    @Option(names = "--stop-after-batches", hidden = true, paramLabel = "N")
    Integer stopAfterBatches;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
      LaunchContext context = keys.main.context;
      if (batchSize < 1 || batchSize > 10_000) {
        throw new ParameterException(keys.spec.commandLine(), "--batch-size must be between 1 and 10000");
      }
      boolean debug = Failures.debug(context.env());
      JsonObject flags = new JsonObject();
      Main.flag(flags, ConfigKeys.DATABASE_URL, databaseUrl);
      PrintStream out = context.out();
      Vertx vertx = Vertx.vertx();
      try {
        PipelitdConfig config = keys.main.loadConfig(vertx, flags);
        Object key = config.json().getValue(ConfigKeys.FIELD_ENCRYPTION_KEY);
        if (key == null || key.toString().isBlank()) {
          throw new ConfigException(ConfigKeys.FIELD_ENCRYPTION_KEY,
              "is not set: nothing to rotate with (set it in .env or the environment)");
        }
        int keyCount = FieldKeyring.parse(key.toString()).size();
        Failures.await(Daemon.deployPersistence(vertx, config));
        out.println("Rotating stored secrets in " + config.databaseUrl().describe() + " to the first of "
            + keyCount + " key(s), " + batchSize + " rows per batch.");
        long rotated = 0;
        long current = 0;
        long plaintext = 0;
        long raced = 0;
        long undecryptableCount = 0;
        int batches = 0;
        List<String> undecryptable = new ArrayList<>();
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS);
        for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
          long afterId = 0;
          long seen = 0;
          JsonArray bad = new JsonArray();
          while (true) {
            if (stopAfterBatches != null && batches >= stopAfterBatches) {
              out.println("Stopped after " + batches + " batch(es) (--stop-after-batches): rotated " + rotated
                  + ", plaintext encrypted " + plaintext + " so far. Run `pipelitd keys rotate` again to finish.");
              out.flush();
              return ExitCodes.FAILURE;
            }
            JsonObject request = new JsonObject().put("table", column.table()).put("column", column.column())
                .put("after_id", afterId).put("limit", batchSize);
            JsonObject reply = (JsonObject) Failures.await(
                vertx.eventBus().request(StoreAddresses.KEYS_ROTATE_BATCH, request, options)).body();
            batches++;
            seen += reply.getLong("seen");
            rotated += reply.getLong("rotated");
            current += reply.getLong("current");
            plaintext += reply.getLong("plaintext");
            raced += reply.getLong("changed_meanwhile");
            bad.addAll(reply.getJsonArray("undecryptable_ids"));
            afterId = reply.getLong("last_id");
            if (reply.getLong("seen") > 0) {
              out.println("  " + column.qualified() + ": " + seen + " row(s) checked (up to id " + afterId + ")");
              out.flush();
            }
            if (reply.getBoolean("done")) {
              break;
            }
          }
          if (!bad.isEmpty()) {
            undecryptableCount += bad.size();
            undecryptable.add(column.qualified() + " ids " + bad.encode());
          }
        }
        out.println("Done: rotated " + rotated + ", already current " + current + ", plaintext encrypted "
            + plaintext + ", undecryptable " + undecryptableCount + (raced > 0 ? ", changed meanwhile (left as written) " + raced : "") + ".");
        out.flush();
        if (!undecryptable.isEmpty()) {
          Failures.report(context.err(), "some stored values open with none of the keys in FIELD_ENCRYPTION_KEY"
              + " and were left as they are: " + String.join("; ", undecryptable)
              + ". Add the key they were written with after a comma and run again, or re-enter those secrets.",
              null, debug);
          return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
      } catch (RuntimeException e) {
        Failures.report(context.err(), Failures.message(e), e, debug);
        return Failures.exitCode(e);
      } finally {
        Main.closeVertx(vertx, Main.STOP_TIMEOUT);
      }
    }
  }
}
