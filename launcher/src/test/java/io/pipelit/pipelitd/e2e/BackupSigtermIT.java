package io.pipelit.pipelitd.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a real daemon while a backup runs: the process exits 0, the backup either finished
 * (verified) or was aborted, no partial folder is left, the caller got an answer or a closed
 * connection (never a hang), and the database is intact.
 */
class BackupSigtermIT extends ProcessTestBase {

  @Test
  void sigtermDuringABackupEndsItCleanly() throws Exception {
    Result setup = run(Map.of(), "a long enough password\n", "setup", "--username", "admin", "--password-stdin");
    assertEquals(0, setup.exit(), setup.stderr());
    String[] lines = setup.stdout().strip().split("\n");
    String key = lines[lines.length - 1].strip();
    Path database = workDir.resolve("platform/db.sqlite3");
    fill(database, 120);

    int port = freePort();
    Path log = workDir.resolve("daemon.log");
    daemon = pipelitd(Map.of("PIPELITD_HTTP_PORT", Integer.toString(port), "PIPELITD_HTTP_DRAIN_TIMEOUT_MS", "2000"),
        "run").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String base = "http://127.0.0.1:" + port;
    waitForHealth(base, log);

    CompletableFuture<HttpResponse<String>> backup = http.sendAsync(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/backups/")).timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    Path backups = workDir.resolve("backups");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!partial(backups) && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertTrue(partial(backups), "the backup started: " + read(log));
    daemon.destroy(); // SIGTERM
    assertTrue(daemon.waitFor(45, TimeUnit.SECONDS), "no exit within 45 s: " + read(log));
    assertEquals(0, daemon.exitValue(), read(log));

    // The caller got an answer or a closed connection, not a hang.
    try {
      HttpResponse<String> answer = backup.get(30, TimeUnit.SECONDS);
      assertTrue(answer.statusCode() == 201 || answer.statusCode() == 503, answer.statusCode() + " " + answer.body());
    } catch (java.util.concurrent.ExecutionException closed) {
      assertTrue(closed.getCause() instanceof java.io.IOException, closed.toString());
    }
    assertTrue(!partial(backups), "no partial folder left: " + read(log));
    try (Stream<Path> left = Files.list(backups)) {
      for (Path folder : left.toList()) {
        String manifest = Files.readString(folder.resolve("manifest.json"));
        assertTrue(manifest.contains("\"verified\""), "only a finished, verified backup may remain: " + manifest);
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("PRAGMA integrity_check")) {
      rows.next();
      assertEquals("ok", rows.getString(1));
    }
    System.out.println("SIGTERM during a backup: " + (read(log).contains("backup aborted") ? "aborted" : "finished")
        + ", exit 0");
  }

  static boolean partial(Path backups) throws Exception {
    if (!Files.isDirectory(backups)) {
      return false;
    }
    try (Stream<Path> children = Files.list(backups)) {
      List<Path> all = children.toList();
      return all.stream().anyMatch(p -> p.getFileName().toString().endsWith(".partial"));
    }
  }

  static void fill(Path database, int megabytes) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database)) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE sigterm_filler (id INTEGER PRIMARY KEY, data BLOB)");
      }
      c.setAutoCommit(false);
      Random random = new Random(3);
      byte[] data = new byte[64 * 1024];
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO sigterm_filler (data) VALUES (?)")) {
        for (int i = 0; i < megabytes * 16; i++) {
          random.nextBytes(data);
          insert.setBytes(1, data);
          insert.executeUpdate();
        }
      }
      c.commit();
    }
  }
}
