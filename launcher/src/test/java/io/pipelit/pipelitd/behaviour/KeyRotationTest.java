package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.crypto.Decryption;
import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.pipelit.pipelitd.launcher.Main;
import io.pipelit.pipelitd.persistence.EncryptedColumns;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code pipelitd keys rotate} over a populated database, on a live daemon: interrupted after two
 * batches, then run again to the end; values already on the new key are skipped, plaintext left by an
 * older database is encrypted, and a value no key opens makes it exit 1 naming table, column and id.
 */
class KeyRotationTest extends BackendSuite {

  record Outcome(int code, String out, String err) {}

  static Outcome rotate(String keys, String... extra) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("keys", "rotate", "--batch-size", "10"));
    args.addAll(List.of(extra));
    Path dir = Files.createTempDirectory("pipelitd-rotate-");
    int code = Main.execute(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of(ConfigKeys.DATABASE_URL, daemon.databaseUrl, ConfigKeys.FIELD_ENCRYPTION_KEY, keys), dir);
    assertFalse(Files.exists(dir.resolve(".env")), "rotate never generates a key");
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every non-empty stored encrypted value. */
  static List<String> storedValues() throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection c = daemon.connect(); Statement s = c.createStatement()) {
      for (EncryptedColumns.Column column : EncryptedColumns.ALL) {
        try (ResultSet rows = s.executeQuery("SELECT " + column.column() + " FROM " + column.table())) {
          while (rows.next()) {
            String v = rows.getString(1);
            if (v != null && !v.isEmpty()) {
              values.add(v);
            }
          }
        }
      }
    }
    return values;
  }

  static void setRaw(String table, String column, long baseId, String value) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "UPDATE " + table + " SET " + column + " = ? WHERE base_credentials_id = ?")) {
      s.setString(1, value);
      s.setLong(2, baseId);
      assertEquals(1, s.executeUpdate());
    }
  }

  @Test
  void anInterruptedRotationFinishesWhenRunAgain() throws Exception {
    long last = 0;
    for (int i = 0; i < 25; i++) {
      last = daemon.post("/api/v1/credentials/", new JsonObject().put("name", "llm" + i).put("credential_type", "llm")
          .put("detail", new JsonObject().put("api_key", "sk-rotate-me-" + i)
              .put("custom_headers", new JsonObject().put("X-Key", "h" + i)))).json().getLong("id");
    }
    for (int i = 0; i < 5; i++) {
      daemon.post("/api/v1/credentials/", new JsonObject().put("name", "git" + i).put("credential_type", "git")
          .put("detail", new JsonObject().put("access_token", "tok-" + i).put("ssh_private_key", "ssh-" + i)
              .put("webhook_secret", "wh-" + i)));
    }
    // Plaintext left by an older (Pipelit) database, in the last row so the interrupted run does not reach it.
    setRaw("llm_credentials", "api_key", last, "plain-legacy-key");
    setRaw("llm_credentials", "custom_headers", last, "{\"X-Key\":\"legacy\"}");

    String oldKey = daemon.fieldKey;
    String newKey = FieldKeyring.generateKey();
    String keys = newKey + "," + oldKey;
    FieldKeyring onlyNew = FieldKeyring.parse(newKey);

    Outcome interrupted = rotate(keys, "--stop-after-batches", "2");
    assertEquals(1, interrupted.code(), interrupted.toString());
    assertTrue(interrupted.out().contains("Stopped after 2 batch(es)"), interrupted.out());
    long onNew = storedValues().stream().filter(v -> onlyNew.decrypt(v).isOk()).count();
    assertEquals(20, onNew, "two batches of 10 rotated");

    Outcome finished = rotate(keys);
    assertEquals(0, finished.code(), finished.toString());
    assertTrue(finished.out().contains("Done: rotated 43, already current 20, plaintext encrypted 2, undecryptable 0."),
        finished.out());
    List<String> values = storedValues();
    assertEquals(25 * 2 + 5 * 3, values.size());
    for (String v : values) {
      Decryption d = onlyNew.decrypt(v);
      assertTrue(d.isOk() && v.startsWith("gAAAAA"), "every value is a token of the new key");
    }
    assertEquals("plain-legacy-key", onlyNew.decrypt(readRaw("api_key", last)).value());
    assertEquals(List.of("plain-legacy-key", "{\"X-Key\":\"legacy\"}"),
        FernetPython.decrypt(newKey, List.of(readRaw("api_key", last), readRaw("custom_headers", last))));

    Outcome again = rotate(keys);
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("Done: rotated 0, already current 65, plaintext encrypted 0, undecryptable 0."),
        again.out());

    String foreign = FieldKeyring.parse(FieldKeyring.generateKey()).encrypt("someone else's secret");
    setRaw("llm_credentials", "api_key", last, foreign);
    long rowId = rowId(last);
    Outcome bad = rotate(keys);
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("llm_credentials.api_key ids [" + rowId + "]"), bad.err());
    assertFalse(bad.err().contains(foreign) || bad.out().contains(foreign), "never a value");
    assertEquals(foreign, readRaw("api_key", last), "left as it is");
  }

  static String readRaw(String column, long baseId) throws Exception {
    try (Connection c = daemon.connect(); PreparedStatement s = c.prepareStatement(
        "SELECT " + column + " FROM llm_credentials WHERE base_credentials_id = ?")) {
      s.setLong(1, baseId);
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    }
  }

  static long rowId(long baseId) throws Exception {
    return daemon.count("SELECT id FROM llm_credentials WHERE base_credentials_id = " + baseId);
  }
}
