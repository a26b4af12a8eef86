package io.pipelit.pipelitd.bench;

import io.pipelit.pipelitd.persistence.Migrations;
import io.pipelit.pipelitd.storage.DatabaseUrl;
import io.vertx.core.http.HttpMethod;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * pipelitd's benchmarks B1-B4 (issue 11), run by {@code scripts/bench/run}: prints one table of figures
 * (each the median of {@code --runs} runs) and ratios, and draws the connection sweep as a PNG. Every
 * comparison is measured in the same run: the rounds interleave the modes, so a noisy neighbour hurts all
 * of them alike.
 *
 * <pre>
 *   Bench [--runs 3] [--seconds 4] [--warmup 1] [--b1-jit-warmup 15] [--server-warmup 10] [--connections 1,4,16,64,256] [--chart docs/benchmarks-b2.png]
 *         [--only B1|HTTP] [--compare-auth-cache] [--java-opts "-Xmx160m ..."] (the options scripts/pipelitd ships, for the naive server;
 *         pipelitd itself is started with scripts/pipelitd, -Dpipelitd.root)
 * </pre>
 */
public final class Bench {
  private static final int MAIN_CONNECTIONS = 64;
  /** Raw B1 inserts per round at the least: about 2 s with batches of 64. */
  private static final int RAW_MIN_ROWS = 250_000;

  private int runs = 3;
  private long measureMs = 4_000;
  private long warmupMs = 1_000;
  /** B1's untimed first run of both paths, in this JVM (see b1()). */
  private long b1JitWarmupMs = 15_000;
  /** The untimed first pass of every HTTP mode (see httpBenches()). */
  private long serverWarmupMs = 10_000;
  private List<Integer> connections = List.of(1, 4, 16, 64, 256);
  private Path chart = Path.of("docs/benchmarks-b2.png");
  private List<String> javaOptions = List.of();
  /** "all", or "B1" (event bus only) or "HTTP" (B2, B3, B4): for a quick look at one part. */
  private String only = "all";
  /** Also measure pipelitd FULL with PIPELITD_AUTH_CACHE_SECONDS=0 at 64 connections (what the cache buys). */
  private boolean compareAuthCache;
  private final Path work;
  private final List<String[]> table = new ArrayList<>();

  private Bench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("pipelitd-bench-").toAbsolutePath(); // children run elsewhere
    Bench bench = new Bench(work);
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--runs" -> bench.runs = Integer.parseInt(value);
        case "--seconds" -> bench.measureMs = (long) (Double.parseDouble(value) * 1000);
        case "--warmup" -> bench.warmupMs = (long) (Double.parseDouble(value) * 1000);
        case "--b1-jit-warmup" -> bench.b1JitWarmupMs = (long) (Double.parseDouble(value) * 1000);
        case "--server-warmup" -> bench.serverWarmupMs = (long) (Double.parseDouble(value) * 1000);
        case "--connections" -> bench.connections = Arrays.stream(value.split(",")).map(String::trim)
            .map(Integer::valueOf).toList();
        case "--chart" -> bench.chart = Path.of(value);
        case "--only" -> bench.only = value.toUpperCase(Locale.ROOT);
        case "--compare-auth-cache" -> {
          bench.compareAuthCache = true;
          i--; // a flag without a value
        }
        case "--java-opts" -> bench.javaOptions = Arrays.stream(value.trim().split("\\s+"))
            .filter(s -> !s.isEmpty()).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see Bench's comment)");
      }
      i++;
    }
    if (!bench.connections.contains(MAIN_CONNECTIONS)) {
      throw new IllegalArgumentException("--connections must include " + MAIN_CONNECTIONS);
    }
    if (bench.runs < 1) {
      throw new IllegalArgumentException("--runs must be at least 1");
    }
    bench.run();
    System.exit(0); // the embedded PostgreSQL's shutdown hook stops it
  }

  private void run() throws Exception {
    System.out.printf(Locale.ROOT, "pipelitd bench: %d runs per figure, %.1f s measured after %.1f s warm-up;"
        + " pipelitd started by scripts/pipelitd, the naive server with JVM options %s; work folder %s; started %s%n", runs, measureMs / 1e3, warmupMs / 1e3,
        javaOptions, work, Instant.now());
    if (!only.equals("HTTP")) {
      b1();
    }
    if (!only.equals("B1")) {
      httpBenches();
    }
    printTable();
  }

  // ---------------------------------------------------------------- B1

  private void b1() throws Exception {
    // B1 runs inside this JVM, which starts cold: on 2 cores C2 keeps a core busy compiling the hot path
    // for the first 10-15 s of load (seen in top -H), which a daemon does once in its life. So both paths
    // run untimed first; the rounds then measure the compiled code, as a daemon under load runs it.
    System.out.printf(Locale.ROOT, "  B1 JIT warm-up: both paths untimed for %.0f s%n", b1JitWarmupMs / 1e3);
    EventBusWrites.eventBus(migratedSqlite("b1-jit-warmup"), "FULL", 0, b1JitWarmupMs);
    EventBusWrites.raw(migratedSqlite("b1-jit-warmup-raw"), "FULL", RAW_MIN_ROWS);
    List<Double> eventBus = new ArrayList<>();
    List<Double> raw = new ArrayList<>();
    List<Double> rawWriterBatch = new ArrayList<>();
    // Round 0 is discarded too: the first round after the warm-up came out 30-40 % below the next ones in
    // every run on this machine (with a 15 s or a 40 s warm-up, with a fixed heap), the later rounds not.
    for (int round = -1; round < runs; round++) {
      Path served = migratedSqlite("b1-eventbus-" + (round + 1));
      double appends = EventBusWrites.eventBus(served, "FULL", warmupMs, measureMs);
      // At least as many rows as the event bus managed in its window, and enough for a stable timing.
      int rows = (int) Math.max(RAW_MIN_ROWS, appends * measureMs / 1000);
      Path rawFile = migratedSqlite("b1-raw-" + (round + 1));
      Path rawWriterBatchFile = migratedSqlite("b1-raw" + EventBusWrites.WRITER_BATCH + "-" + (round + 1));
      // The two raw batch sizes take turns at running first, so that neither owns the place after the bus.
      double rawRows;
      double rawWriterBatchRows;
      if (round % 2 == 0) {
        rawRows = EventBusWrites.raw(rawFile, "FULL", rows);
        rawWriterBatchRows = EventBusWrites.raw(rawWriterBatchFile, "FULL", rows, EventBusWrites.WRITER_BATCH);
      } else {
        rawWriterBatchRows = EventBusWrites.raw(rawWriterBatchFile, "FULL", rows, EventBusWrites.WRITER_BATCH);
        rawRows = EventBusWrites.raw(rawFile, "FULL", rows);
      }
      String figures = String.format(Locale.ROOT, "event bus %.0f appends/s, raw %.0f rows/s (batches of %d),"
          + " %.0f rows/s (batches of %d)", appends, rawRows, EventBusWrites.RAW_BATCH, rawWriterBatchRows,
          EventBusWrites.WRITER_BATCH);
      if (round < 0) {
        System.out.println("  B1 round 0 (discarded): " + figures);
        continue;
      }
      eventBus.add(appends);
      raw.add(rawRows);
      rawWriterBatch.add(rawWriterBatchRows);
      System.out.printf(Locale.ROOT, "  B1 round %d: %s%n", round + 1, figures);
    }
    double bus = median(eventBus);
    double rawAtInFlight = median(raw);
    double rawAtWriterBatch = median(rawWriterBatch);
    row("B1", "event-bus appends/s, SQLite FULL, " + EventBusWrites.IN_FLIGHT + " in flight", fmt(bus), "");
    row("B1", "raw sqlite-jdbc batched inserts/s (one connection, batches of " + EventBusWrites.RAW_BATCH
        + ": the most " + EventBusWrites.IN_FLIGHT + " in flight can put in one transaction)", fmt(rawAtInFlight),
        "");
    row("B1", "ratio event bus / raw", ratio(bus / rawAtInFlight), verdict(bus / rawAtInFlight >= 0.5, ">= 0.5"));
    // Context, not the target: batches bigger than the path measured can ever form (see RAW_BATCH).
    row("B1", "raw with batches of " + EventBusWrites.WRITER_BATCH + " (the writer's largest batch)",
        fmt(rawAtWriterBatch), "");
    row("B1", "ratio event bus / raw batches of " + EventBusWrites.WRITER_BATCH, ratio(bus / rawAtWriterBatch),
        "");
  }

  // ---------------------------------------------------------------- B2, B3, B4

  /** A server the HTTP load can hit, with what to send it. */
  private record Mode(String name, Servers.Child server, HttpLoad.Target target) {}

  private void httpBenches() throws Exception {
    List<Double> startups = new ArrayList<>();
    List<Double> idleRss = new ArrayList<>();
    // B4: start-up on an empty database, and idle memory; the last start serves B2.
    Servers.Child pipelitd = null;
    for (int round = 0; round < runs; round++) {
      if (pipelitd != null) {
        pipelitd.close();
      }
      pipelitd = Servers.startPipelitd(work.resolve("b4-start-" + round), null);
      startups.add(pipelitd.startupSeconds());
      Thread.sleep(1_000); // let start-up work (JIT, first GC) settle before reading idle memory
      idleRss.add(pipelitd.rssKib() / 1024.0);
      System.out.printf(Locale.ROOT, "  B4 start %d: ready after %.2f s, idle RSS %.0f MiB%n", round + 1,
          pipelitd.startupSeconds(), idleRss.get(round));
    }
    Path pipelitdDb = pipelitd.log().getParent().resolve("platform/db.sqlite3");
    Servers.Seed seed;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + pipelitdDb + "?busy_timeout=10000")) {
      seed = Servers.seed(c);
    }
    String logs = "/api/v1/executions/" + seed.executionId() + "/logs/";
    String body = EventBusWrites.LOG.encode();
    List<Servers.Child> children = new ArrayList<>();
    children.add(pipelitd);
    try (HttpLoad load = new HttpLoad(); EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      Map<String, Mode> modes = new LinkedHashMap<>();
      modes.put("pipelitd", new Mode("pipelitd SQLite (FULL)", pipelitd,
          new HttpLoad.Target(HttpMethod.POST, logs, seed.key(), body, 201)));
      // The single writer at synchronous=NORMAL too, to compare like with like against naive NORMAL.
      Servers.Child normal = Servers.startPipelitd(work.resolve("b2-normal"), null,
          Map.of("PIPELITD_SQLITE_SYNCHRONOUS", "NORMAL"));
      children.add(normal);
      Servers.Seed normalSeed;
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + normal.log().getParent()
          .resolve("platform/db.sqlite3") + "?busy_timeout=10000")) {
        normalSeed = Servers.seed(c);
      }
      modes.put("pipelitd-NORMAL", new Mode("pipelitd SQLite (NORMAL)", normal, new HttpLoad.Target(HttpMethod.POST,
          "/api/v1/executions/" + normalSeed.executionId() + "/logs/", normalSeed.key(), body, 201)));
      for (String synchronous : List.of("NORMAL", "FULL")) {
        Path file = migratedSqlite("naive-" + synchronous);
        Servers.Seed naiveSeed;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
          naiveSeed = Servers.seed(c);
        }
        Servers.Child naive = Servers.startNaive(javaOptions, work, file, synchronous);
        children.add(naive);
        modes.put("naive-" + synchronous, new Mode("naive " + synchronous, naive, new HttpLoad.Target(
            HttpMethod.POST, "/api/v1/executions/" + naiveSeed.executionId() + "/logs/", naiveSeed.key(), body, 201)));
      }
      if (compareAuthCache) {
        Servers.Child uncached = Servers.startPipelitd(work.resolve("b2-no-auth-cache"), null,
            Map.of("PIPELITD_AUTH_CACHE_SECONDS", "0"));
        children.add(uncached);
        Servers.Seed uncachedSeed;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + uncached.log().getParent()
            .resolve("platform/db.sqlite3") + "?busy_timeout=10000")) {
          uncachedSeed = Servers.seed(c);
        }
        modes.put("no-auth-cache", new Mode("pipelitd FULL, no auth cache", uncached, new HttpLoad.Target(
            HttpMethod.POST, "/api/v1/executions/" + uncachedSeed.executionId() + "/logs/", uncachedSeed.key(),
            body, 201)));
      }
      // B3: the same daemon code on PostgreSQL (embedded, as the tests use).
      String database = "pipelitd_bench";
      try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement s = admin.createStatement()) {
        s.execute("CREATE DATABASE " + database);
      }
      Servers.Child onPostgres = Servers.startPipelitd(work.resolve("b3-postgres"),
          "postgresql://postgres@localhost:" + postgres.getPort() + "/" + database);
      children.add(onPostgres);
      Servers.Seed pgSeed;
      try (Connection c = postgres.getDatabase("postgres", database).getConnection()) {
        pgSeed = Servers.seed(c);
      }
      modes.put("postgres", new Mode("pipelitd PostgreSQL", onPostgres, new HttpLoad.Target(HttpMethod.POST,
          "/api/v1/executions/" + pgSeed.executionId() + "/logs/", pgSeed.key(), body, 201)));
      Mode health = new Mode("GET /health", pipelitd, new HttpLoad.Target(HttpMethod.GET, "/health", null, null, 200));

      // Every server starts cold, and C2 goes on compiling its hot path for the first 10-20 s of load (a
      // daemon does that once in its life): round 1 came out at a fifth to a half of rounds 2 and 3, and
      // the servers warm at different speeds. So every mode runs untimed first, and the rounds compare
      // compiled code.
      System.out.printf(Locale.ROOT, "  warm-up: every mode untimed for %.0f s at %d connections%n",
          serverWarmupMs / 1e3, MAIN_CONNECTIONS);
      for (Mode mode : modes.values()) {
        load.run(mode.server().port(), mode.target(), MAIN_CONNECTIONS, 0, serverWarmupMs);
      }
      load.run(health.server().port(), health.target(), MAIN_CONNECTIONS, 0, serverWarmupMs);
      Map<String, List<HttpLoad.Result>> results = new LinkedHashMap<>();
      for (int round = 0; round < runs; round++) {
        for (int count : connections) {
          for (Mode mode : modes.values()) {
            if ((mode.server() == onPostgres || mode.name().contains("no auth cache")) && count != MAIN_CONNECTIONS) {
              continue; // B3 and the auth-cache comparison are reported at 64 connections only
            }
            measure(load, results, mode, count, round);
          }
        }
        measure(load, results, health, MAIN_CONNECTIONS, round);
      }
      double loadedRss = pipelitd.rssKib() / 1024.0;
      report(results, modes, health);
      row("B4", "start-up, launch to /ready 200, empty database (s)", String.format(Locale.ROOT, "%.2f",
          median(startups)), verdict(median(startups) <= 2, "<= 2 s"));
      row("B4", "resident memory at idle (MiB)", fmt(median(idleRss)), verdict(median(idleRss) <= 256, "<= 256"));
      row("B4", "resident memory after the B2 load (MiB)", fmt(loadedRss), verdict(loadedRss <= 256, "<= 256"));
      drawChart(results, modes);
    } finally {
      for (Servers.Child child : children) {
        child.close();
      }
    }
  }

  private void measure(HttpLoad load, Map<String, List<HttpLoad.Result>> results, Mode mode, int count,
      int round) throws Exception {
    HttpLoad.Result result = load.run(mode.server().port(), mode.target(), count, warmupMs, measureMs);
    results.computeIfAbsent(mode.name() + "@" + count, k -> new ArrayList<>()).add(result);
    System.out.printf(Locale.ROOT, "  round %d  %-24s %4d conns: %8.0f ok/s  %6d errors  p50 %7.2f ms"
        + "  p99 %8.2f ms%n", round + 1, mode.name(), count, result.okPerSecond(), result.errors(), result.p50Ms(),
        result.p99Ms());
  }

  private void report(Map<String, List<HttpLoad.Result>> results, Map<String, Mode> modes, Mode health) {
    String at = "@" + MAIN_CONNECTIONS;
    List<HttpLoad.Result> single = results.get(modes.get("pipelitd").name() + at);
    double writes = median(single, HttpLoad.Result::okPerSecond);
    double p50 = median(single, HttpLoad.Result::p50Ms);
    double p99 = median(single, HttpLoad.Result::p99Ms);
    long errors = single.stream().mapToLong(HttpLoad.Result::errors).sum();
    double healthRate = median(results.get(health.name() + at), HttpLoad.Result::okPerSecond);
    row("B2", "pipelitd SQLite FULL, 64 conns: writes/s", fmt(writes), "");
    row("B2", "  latency p50 / p99 (ms)", String.format(Locale.ROOT, "%.2f / %.2f", p50, p99),
        verdict(p99 <= 20, "p99 <= 20 ms"));
    row("B2", "  errors (all runs)", Long.toString(errors), verdict(errors == 0, "0"));
    row("B2", "GET /health req/s, same server, 64 conns", fmt(healthRate), "");
    row("B2", "ratio writes / health", ratio(writes / healthRate), verdict(writes / healthRate >= 0.3, ">= 0.3"));
    List<HttpLoad.Result> normal = results.get(modes.get("pipelitd-NORMAL").name() + at);
    double normalWrites = median(normal, HttpLoad.Result::okPerSecond);
    long normalErrors = normal.stream().mapToLong(HttpLoad.Result::errors).sum();
    row("B2", "pipelitd SQLite NORMAL, 64 conns: writes/s (errors, all runs)",
        fmt(normalWrites) + " (" + normalErrors + ")", verdict(normalErrors == 0, "0 errors"));
    row("B2", "  latency p50 / p99 (ms)", String.format(Locale.ROOT, "%.2f / %.2f",
        median(normal, HttpLoad.Result::p50Ms), median(normal, HttpLoad.Result::p99Ms)), "");
    for (String synchronous : List.of("NORMAL", "FULL")) {
      List<HttpLoad.Result> naive = results.get(modes.get("naive-" + synchronous).name() + at);
      double naiveWrites = median(naive, HttpLoad.Result::okPerSecond);
      double naiveErrors = median(naive, HttpLoad.Result::errorRate);
      double target = synchronous.equals("NORMAL") ? 2.5 : 20;
      // Like with like: the single writer at the same synchronous level as the naive mode.
      double ours = synchronous.equals("NORMAL") ? normalWrites : writes;
      row("B2", "naive " + synchronous + ", 64 conns: successful writes/s (errors)",
          fmt(naiveWrites) + String.format(Locale.ROOT, " (%.0f %%)", naiveErrors * 100), "");
      row("B2", "  ratio pipelitd " + synchronous + " / naive " + synchronous, ratio(ours / naiveWrites),
          verdict(ours / naiveWrites >= target, ">= " + target));
      if (synchronous.equals("NORMAL")) {
        row("B2", "  ratio pipelitd FULL / naive NORMAL (durable vs not)", ratio(writes / naiveWrites), "");
      }
    }
    if (modes.containsKey("no-auth-cache")) {
      List<HttpLoad.Result> uncached = results.get(modes.get("no-auth-cache").name() + at);
      double uncachedWrites = median(uncached, HttpLoad.Result::okPerSecond);
      row("B2", "pipelitd FULL without the auth cache, 64 conns: writes/s", fmt(uncachedWrites), "");
      row("B2", "  latency p50 / p99 (ms)", String.format(Locale.ROOT, "%.2f / %.2f",
          median(uncached, HttpLoad.Result::p50Ms), median(uncached, HttpLoad.Result::p99Ms)), "");
      row("B2", "  ratio with / without the auth cache", ratio(writes / uncachedWrites), "");
    }
    List<HttpLoad.Result> pg = results.get(modes.get("postgres").name() + at);
    double pgWrites = median(pg, HttpLoad.Result::okPerSecond);
    row("B3", "pipelitd PostgreSQL, 64 conns: writes/s", fmt(pgWrites), "");
    row("B3", "  latency p50 / p99 (ms)", String.format(Locale.ROOT, "%.2f / %.2f",
        median(pg, HttpLoad.Result::p50Ms), median(pg, HttpLoad.Result::p99Ms)), "");
    row("B3", "  errors (all runs)", Long.toString(pg.stream().mapToLong(HttpLoad.Result::errors).sum()), "");
    row("B3", "  ratio PostgreSQL / SQLite", ratio(pgWrites / writes), "");
    for (int count : connections) {
      StringBuilder line = new StringBuilder();
      for (String key : List.of("pipelitd", "pipelitd-NORMAL", "naive-NORMAL", "naive-FULL")) {
        List<HttpLoad.Result> r = results.get(modes.get(key).name() + "@" + count);
        line.append(String.format(Locale.ROOT, "%s %s/s %.0f%%err; ", key, fmt(median(r, HttpLoad.Result::okPerSecond)),
            median(r, HttpLoad.Result::errorRate) * 100));
      }
      row("B2", "sweep " + count + " conns", line.toString().replaceAll("; $", ""), "");
    }
  }

  private void drawChart(Map<String, List<HttpLoad.Result>> results, Map<String, Mode> modes) throws Exception {
    List<Chart.Series> series = new ArrayList<>();
    for (String key : List.of("pipelitd", "pipelitd-NORMAL", "naive-NORMAL", "naive-FULL")) {
      String name = modes.get(key).name();
      double[] writes = new double[connections.size()];
      double[] errors = new double[connections.size()];
      for (int i = 0; i < connections.size(); i++) {
        List<HttpLoad.Result> r = results.get(name + "@" + connections.get(i));
        writes[i] = median(r, HttpLoad.Result::okPerSecond);
        errors[i] = median(r, HttpLoad.Result::errorRate);
      }
      series.add(new Chart.Series(name.replace("pipelitd SQLite", "pipelitd"), writes, errors));
    }
    Files.createDirectories(chart.toAbsolutePath().getParent());
    Chart.write(chart, "B2: execution-log appends over HTTP on SQLite (medians of " + runs + " runs, "
        + Instant.now().toString().substring(0, 16) + "Z)", connections, series);
    System.out.println("chart written to " + chart.toAbsolutePath());
  }

  // ---------------------------------------------------------------- helpers

  private Path migratedSqlite(String name) throws Exception {
    Path file = work.resolve(name + ".sqlite3");
    Migrations.runner(DatabaseUrl.parse("sqlite:///" + file.toAbsolutePath(), work)).migrate();
    return file;
  }

  private void row(String bench, String what, String value, String target) {
    table.add(new String[] {bench, what, value, target});
  }

  private void printTable() {
    System.out.println();
    System.out.println("| bench | figure | value | target |");
    System.out.println("|---|---|---|---|");
    for (String[] r : table) {
      System.out.println("| " + String.join(" | ", r) + " |");
    }
  }

  private static String verdict(boolean met, String target) {
    return target + (met ? " — met" : " — NOT met");
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  private static String ratio(double value) {
    // x / 0: the baseline had no success at all in its windows (naive at FULL often has none)
    return Double.isInfinite(value) ? "unbounded (baseline 0)" : String.format(Locale.ROOT, "%.2f", value);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double median(List<HttpLoad.Result> results, ToDoubleFunction<HttpLoad.Result> figure) {
    return median(results.stream().map(figure::applyAsDouble).toList());
  }
}
