package io.pipelit.pipelitd.reliability;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@code scripts/reliability/run}: prepares a daemon, puts a write load on it while the
 * script kills, stops or starves it, records every acknowledged write in an {@link AckLedger}, and checks
 * afterwards that all of them are in the database. Every command prints one summary line and exits
 * non-zero when what it checks does not hold.
 *
 * <pre>
 *   prepare  PORT KEY                                  creates a workflow and an execution, prints its id
 *   load     PORT KEY EXECUTION LEDGER STOP_FILE CLIENTS [PAYLOAD_BYTES]
 *            appends execution logs with CLIENTS threads until STOP_FILE exists (the daemon may die and
 *            come back meanwhile); prints counts; fails on an unexpected answer, or, with
 *            {@code -Dreliability.signalFile=FILE} (the drain), on a request started before FILE
 *            appeared (the script creates it just before the SIGTERM) and left unanswered
 *   diskfull PORT KEY EXECUTION LEDGER FILLER          writes until the disk is full, checks the refusals
 *            and that reads still work, deletes FILLER and checks that writes resume
 *   verify   DB_FILE LEDGER...                          PRAGMA integrity_check, every acknowledged id present
 * </pre>
 */
public final class ReliabilityClient {
  private ReliabilityClient() {}

  static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    int exit = switch (args.length == 0 ? "" : args[0]) {
      case "prepare" -> prepare(Integer.parseInt(args[1]), args[2]);
      case "load" -> load(Integer.parseInt(args[1]), args[2], args[3], Path.of(args[4]), Path.of(args[5]),
          Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 64);
      case "diskfull" -> diskFull(Integer.parseInt(args[1]), args[2], args[3], Path.of(args[4]), Path.of(args[5]));
      case "verify" -> verify(Path.of(args[1]), List.of(args).subList(2, args.length));
      default -> {
        System.err.println("usage: ReliabilityClient prepare|load|diskfull|verify ... (see the class comment)");
        yield 2;
      }
    };
    System.exit(exit);
  }

  private static int prepare(int port, String key) {
    RawHttp.Result workflow = RawHttp.send(HOST, port, "POST", "/api/v1/workflows/", key,
        new JsonObject().put("name", "Reliability").put("slug", "reliability").encode());
    if (workflow.status() != 201) {
      System.err.println("cannot create the workflow: " + workflow);
      return 1;
    }
    RawHttp.Result execution = RawHttp.send(HOST, port, "POST", "/api/v1/executions/", key,
        new JsonObject().put("workflow_slug", "reliability").encode());
    if (execution.status() != 201) {
      System.err.println("cannot create the execution: " + execution);
      return 1;
    }
    System.out.println(new JsonObject(execution.body()).getString("execution_id"));
    return 0;
  }

  /** A log entry of about {@code payloadBytes} bytes, numbered so that entries differ. */
  static String logEntry(long sequence, int payloadBytes) {
    return new JsonObject().put("node_id", "load").put("status", "completed")
        .put("output", new JsonObject().put("sequence", sequence).put("pad", "p".repeat(Math.max(0, payloadBytes))))
        .encode();
  }

  private static int load(int port, String key, String execution, Path ledgerFile, Path stopFile, int clients,
      int payloadBytes) throws Exception {
    // The drain: a request started before the script signalled the daemon (it creates this file just
    // before the SIGTERM) was in flight at the stop and must be answered; one started after it may find
    // the listening socket closing (refused, or reset at accept time) and is counted apart.
    String signalFile = System.getProperty("reliability.signalFile");
    Path signalled = signalFile == null ? null : Path.of(signalFile);
    AtomicLong droppedAfterSignal = new AtomicLong();
    String path = "/api/v1/executions/" + execution + "/logs/";
    AtomicLong sequence = new AtomicLong();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong refusedConnections = new AtomicLong();
    AtomicLong unanswered = new AtomicLong();
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    Set<String> unexpected = ConcurrentHashMap.newKeySet();
    try (AckLedger ledger = new AckLedger(ledgerFile)) {
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Thread thread = new Thread(() -> {
          while (!Files.exists(stopFile)) {
            boolean afterSignal = signalled != null && Files.exists(signalled);
            RawHttp.Result r = RawHttp.send(HOST, port, "POST", path, key, logEntry(sequence.incrementAndGet(),
                payloadBytes));
            switch (r.outcome()) {
              case REFUSED -> {
                refusedConnections.incrementAndGet();
                pause(20); // the daemon is down (killed, or not yet up again)
              }
              case UNANSWERED -> {
                if (signalled != null && afterSignal) {
                  droppedAfterSignal.incrementAndGet();
                } else {
                  unanswered.incrementAndGet();
                  if (signalled != null) {
                    unexpected.add("in flight at the SIGTERM and unanswered: " + r.error());
                  }
                }
                pause(20);
              }
              case ANSWERED -> {
                statuses.computeIfAbsent(r.status(), s -> new AtomicLong()).incrementAndGet();
                if (r.status() == 201) {
                  ledger.acknowledged(new JsonObject(r.body()).getLong("id"));
                  acknowledged.incrementAndGet();
                } else if (r.status() == 503 && r.body().contains("\"detail\"")) {
                  pause(20); // shutting down, or overloaded: a clear refusal
                } else {
                  unexpected.add(r.status() + " " + r.body());
                }
              }
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
    }
    System.out.printf("load: %d sent, %d acknowledged, answers %s, %d connections refused (not sent), %d unanswered,"
            + "%s %d unexpected%n", sequence.get() - refusedConnections.get(), acknowledged.get(), new TreeMap<>(statuses),
        refusedConnections.get(), unanswered.get(), signalled == null ? ""
            : " " + droppedAfterSignal.get() + " sent after the SIGTERM and dropped while the socket closed,",
        unexpected.size());
    unexpected.stream().limit(10).forEach(u -> System.out.println("  unexpected: " + u));
    return unexpected.isEmpty() ? 0 : 1;
  }

  private static int diskFull(int port, String key, String execution, Path ledgerFile, Path filler) throws Exception {
    String path = "/api/v1/executions/" + execution + "/logs/";
    List<String> problems = new ArrayList<>();
    long acknowledgedBeforeFull = 0;
    int refusal = 0;
    String refusalBody = null;
    try (AckLedger ledger = new AckLedger(ledgerFile)) {
      long sequence = 0;
      // 64 KiB entries: a small filesystem fills within a few hundred writes.
      while (refusal == 0 && sequence < 20_000) {
        RawHttp.Result r = RawHttp.send(HOST, port, "POST", path, key, logEntry(++sequence, 64 * 1024));
        if (r.outcome() != RawHttp.Outcome.ANSWERED) {
          problems.add("write " + sequence + " before the disk was full: " + r.outcome() + " " + r.error());
          break;
        }
        if (r.status() == 201) {
          ledger.acknowledged(new JsonObject(r.body()).getLong("id"));
          acknowledgedBeforeFull++;
        } else {
          refusal = r.status();
          refusalBody = r.body();
        }
      }
      System.out.printf("diskfull: %d writes acknowledged before the disk was full; then %d %s%n",
          acknowledgedBeforeFull, refusal, refusalBody);
      if (refusal != 507 && refusal != 503) {
        problems.add("a write on a full disk got " + refusal + " " + refusalBody + " (want 507 or 503)");
      } else if (!isDetail(refusalBody)) {
        problems.add("the refusal is not a JSON object with \"detail\": " + refusalBody);
      }
      // While full: more writes are refused the same clear way, and reads keep working.
      int refusedWhileFull = 0;
      for (int i = 0; i < 20; i++) {
        RawHttp.Result w = RawHttp.send(HOST, port, "POST", path, key, logEntry(++sequence, 64 * 1024));
        if (w.status() == 201) {
          ledger.acknowledged(new JsonObject(w.body()).getLong("id")); // some space may appear (WAL checkpoint)
        } else if ((w.status() == 507 || w.status() == 503) && isDetail(w.body())) {
          refusedWhileFull++;
        } else {
          problems.add("a write on a full disk got " + w.outcome() + " " + w.status() + " " + w.body());
        }
        RawHttp.Result read = RawHttp.send(HOST, port, "GET", "/api/v1/executions/" + execution + "/", key, null);
        if (read.status() != 200) {
          problems.add("a read on a full disk got " + read.outcome() + " " + read.status() + " " + read.body());
        }
      }
      RawHttp.Result health = RawHttp.send(HOST, port, "GET", "/health", null, null);
      System.out.printf("diskfull: %d of 20 further writes refused clearly, 20 reads answered, /health %d %s%n",
          refusedWhileFull, health.status(), health.body());
      // Free the space: writes must resume (the writer recovers by itself).
      Files.deleteIfExists(filler);
      long deadline = System.currentTimeMillis() + 30_000;
      int resumed = 0;
      while (resumed < 50 && System.currentTimeMillis() < deadline) {
        RawHttp.Result w = RawHttp.send(HOST, port, "POST", path, key, logEntry(++sequence, 1024));
        if (w.status() == 201) {
          ledger.acknowledged(new JsonObject(w.body()).getLong("id"));
          resumed++;
        } else {
          pause(200);
        }
      }
      System.out.printf("diskfull: after freeing space, %d of 50 writes acknowledged%n", resumed);
      if (resumed < 50) {
        problems.add("writes did not resume within 30 s after space was freed (" + resumed + " of 50)");
      }
    }
    problems.forEach(p -> System.out.println("  problem: " + p));
    return problems.isEmpty() ? 0 : 1;
  }

  private static boolean isDetail(String body) {
    try {
      return body != null && new JsonObject(body).containsKey("detail");
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static int verify(Path database, List<String> ledgers) throws Exception {
    Set<Long> acknowledged = new HashSet<>();
    for (String ledger : ledgers) {
      acknowledged.addAll(AckLedger.read(Path.of(ledger)));
    }
    Set<Long> stored = new HashSet<>();
    String integrity;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
         Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("PRAGMA integrity_check")) {
        rows.next();
        integrity = rows.getString(1);
      }
      try (ResultSet rows = s.executeQuery("SELECT id FROM execution_logs")) {
        while (rows.next()) {
          stored.add(rows.getLong(1));
        }
      }
    }
    Set<Long> lost = new HashSet<>(acknowledged);
    lost.removeAll(stored);
    System.out.printf("verify: %d acknowledged writes, %d stored rows, %d lost, integrity_check %s%n",
        acknowledged.size(), stored.size(), lost.size(), integrity);
    if (!lost.isEmpty()) {
      System.out.println("  lost ids (first 20): " + lost.stream().sorted().limit(20).toList());
    }
    return lost.isEmpty() && "ok".equals(integrity) ? 0 : 1;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
