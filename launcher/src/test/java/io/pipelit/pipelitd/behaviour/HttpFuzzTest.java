package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.http.RouteTable;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Generated hostile HTTP requests against the real daemon: random and malformed bodies, wrong types,
 * huge values, deep nesting, unicode (NUL, lone surrogates, RTL), injection strings, random paths and
 * methods, with no key, a bad key, an admin's and two normal users' keys. Routes and their path
 * parameters come from the route table (ApiRoutes), so routes merged later are fuzzed too.
 *
 * <p>Asserted: no answer is a 5xx; every 4xx carries a JSON body with "detail"; and the database (row
 * count and content hash of every table) is unchanged by every request that must not change data:
 * <ul>
 *   <li>phase 1 (concurrent): requests without a valid key, normal users on admin-only routes, and every
 *   GET/HEAD/OPTIONS — one snapshot before and one after the phase;
 *   <li>phase 2 (one request at a time): writes with valid keys — a snapshot after every request, and
 *   every 4xx must leave it as it was.
 * </ul>
 * Reproducible: the seed is printed; {@code -Dpipelitd.fuzz.seed=N} replays a run and
 * {@code -Dpipelitd.fuzz.requests=N} changes the count (default 10,000 on SQLite, 6,000 on PostgreSQL).
 */
class HttpFuzzTest extends BackendSuite {
  /** Requests in flight during the concurrent phase. */
  private static final int IN_FLIGHT = 16;
  /** How many failures are listed in the assertion message (all are counted). */
  private static final int FAILURES_SHOWN = 25;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** One generated request. */
  record Fuzz(int index, String method, String path, String key, String who, byte[] body, boolean mustNotChange) {
    String describe() {
      String text = body == null ? "<no body>" : new String(body, StandardCharsets.UTF_8);
      if (text.length() > 200) {
        text = text.substring(0, 200) + "...(" + body.length + " bytes)";
      }
      return "#" + index + " " + method + " " + (path.length() > 200 ? path.substring(0, 200) + "..." : path)
          + " as " + who + " body " + text;
    }
  }

  @Test
  void hostileRequestsGetClearRefusalsAndChangeNothingTheyMustNot() throws Exception {
    long seed = Long.getLong("pipelitd.fuzz.seed", System.nanoTime());
    int total = Integer.getInteger("pipelitd.fuzz.requests", backend == Backend.SQLITE ? 10_000 : 6_000);
    System.out.printf("HTTP fuzz [%s]: seed %d (replay with -Dpipelitd.fuzz.seed=%d), %d requests%n", backend, seed,
        seed, total);
    Reliability.Fixtures fixtures = Reliability.fixtures(daemon, "fuzz");
    List<RouteTable.Route> routes = RouteTable.all();
    routes.stream().filter(r -> r.kind() == RouteTable.Kind.DATA).forEach(Reliability::access); // unknown families fail here
    FuzzGenerator generator = new FuzzGenerator(new Random(seed), routes, fixtures, daemon.adminKey);

    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();

    // Phase 1: requests that must not change anything, many in flight.
    int firstPhase = total / 2;
    Map<String, String> before = Reliability.snapshot(daemon);
    Semaphore slots = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    int generated = 0;
    while (generated < firstPhase) {
      Fuzz fuzz = generator.next(generated, true);
      generated++;
      slots.acquire();
      inFlight.add(send(fuzz).handle((response, error) -> {
        slots.release();
        check(fuzz, response, error, failures, statuses);
        return null;
      }));
    }
    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    List<String> changed = Reliability.differences(before, Reliability.snapshot(daemon));
    if (!changed.isEmpty()) {
      failures.add("phase 1 (requests that must not change data) changed tables: " + changed);
    }

    // Phase 2: writes with valid keys, one at a time, the database compared after each.
    try (java.sql.Connection snapshots = daemon.connect()) {
      phaseTwo(generator, generated, total, failures, statuses, snapshots);
    }
    Response health = daemon.get("/health");
    assertEquals("ok", health.json().getString("status"), "the daemon is still healthy: " + health);
    System.out.printf("HTTP fuzz [%s]: %d requests (%d concurrent must-not-change, %d writes checked one by one,"
            + " %d refused writes left every table unchanged), statuses %s, %d failures%n", backend, total,
        firstPhase, writes, unchangedRefusals, statuses, failures.size());
    assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "), first ones:\n"
        + String.join("\n", failures.subList(0, Math.min(FAILURES_SHOWN, failures.size()))));
  }

  private int writes;
  private int unchangedRefusals;

  private void phaseTwo(FuzzGenerator generator, int generated, int total, List<String> failures,
      Map<Integer, AtomicInteger> statuses, java.sql.Connection snapshots) throws Exception {
    Map<String, String> current = Reliability.snapshot(daemon, snapshots);
    while (generated < total) {
      Fuzz fuzz = generator.next(generated, false);
      generated++;
      HttpResponse<byte[]> response = null;
      Throwable error = null;
      try {
        response = send(fuzz).get(2, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        error = e.getCause();
      }
      check(fuzz, response, error, failures, statuses);
      if (response == null || fuzz.method().equals("GET") || fuzz.method().equals("HEAD")) {
        continue; // reads were covered by phase 1's rule; no need for a snapshot each
      }
      writes++;
      Map<String, String> after = Reliability.snapshot(daemon, snapshots);
      if (response.statusCode() >= 400) {
        List<String> diff = Reliability.differences(current, after);
        if (diff.isEmpty()) {
          unchangedRefusals++;
        } else {
          failures.add(fuzz.describe() + " -> " + response.statusCode() + " but changed " + diff);
        }
      }
      current = after;
    }
  }

  /**
   * Regression for what the fuzzer found: a NUL character in a path parameter or a body reached
   * PostgreSQL, which refuses it (SQLSTATE 22021), and the request got a 500. Now it is a clear 4xx on
   * PostgreSQL (422) and changes nothing; SQLite, which can store NUL, answers as for any other value.
   */
  @Test
  void nulCharactersInPathsAndBodiesAreNeverAServerError() throws Exception {
    Map<String, String> before = Reliability.snapshot(daemon);
    Response lookup = daemon.get("/api/v1/workflows/a%00b/");
    assertTrue(lookup.status() == 404 || lookup.status() == 422, lookup.toString());
    Response create = daemon.post("/api/v1/workflows/", "{\"name\":\"n\\u0000ul\",\"slug\":\"nul-in-name\"}");
    if (backend == Backend.POSTGRESQL) {
      assertEquals(422, create.status(), create.toString());
      assertTrue(create.detail().contains("NUL"), create.toString());
      assertEquals(List.of(), Reliability.differences(before, Reliability.snapshot(daemon)));
    } else {
      assertEquals(201, create.status(), create.toString());
    }
  }

  private CompletableFuture<HttpResponse<byte[]>> send(Fuzz fuzz) {
    HttpRequest.Builder builder;
    try {
      builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port + fuzz.path()));
    } catch (IllegalArgumentException notAUri) {
      return CompletableFuture.failedFuture(notAUri);
    }
    builder.timeout(Duration.ofSeconds(60)).method(fuzz.method(),
        fuzz.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(fuzz.body()));
    if (fuzz.body() != null) {
      builder.header("Content-Type", "application/json");
    }
    if (fuzz.key() != null) {
      builder.header("Authorization", fuzz.key());
    }
    return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void check(Fuzz fuzz, HttpResponse<byte[]> response, Throwable error, List<String> failures,
      Map<Integer, AtomicInteger> statuses) {
    if (error != null) {
      if (error instanceof IllegalArgumentException) {
        return; // a path the client itself refuses to send (not a URI); nothing reached the daemon
      }
      failures.add(fuzz.describe() + " -> no answer: " + error);
      return;
    }
    int status = response.statusCode();
    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    if (status >= 500) {
      failures.add(fuzz.describe() + " -> " + status + " " + new String(response.body(), StandardCharsets.UTF_8));
    } else if (status >= 400 && !fuzz.method().equals("HEAD")) {
      try {
        JsonObject body = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
        if (!body.containsKey("detail")) {
          failures.add(fuzz.describe() + " -> " + status + " without \"detail\": " + body);
        }
      } catch (RuntimeException notJson) {
        failures.add(fuzz.describe() + " -> " + status + " with a body that is not a JSON object: "
            + new String(response.body(), StandardCharsets.UTF_8));
      }
    }
  }

  /** Seeded generator of hostile requests; the same seed gives the same sequence. */
  static final class FuzzGenerator {
    private static final String[] METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
        "PROPFIND", "FOO"};
    private static final String[] NASTY = {
        "", " ", "\u0000", "a\u0000b", "\ud800", "\udc00x", "\ud83d\ude00", "\u202etxt.exe", "\u200f\u05e9\u05dc\u05d5\u05dd",
        "' OR '1'='1", "'; DROP TABLE workflows; --", "\" OR 1=1 --", "1; SELECT pg_sleep(0)", "%00", "%", "%zz",
        "../../../../etc/passwd", "..\\..\\windows", "/", "//", "{\"$ne\":null}", "${jndi:ldap://127.0.0.1/x}",
        "<script>alert(1)</script>", "null", "true", "-1", "0", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "1e309", "NaN", "Infinity", "0x10", "1.5", "\n", "\r\n", "\t", "\\", "\"",
        "?", "#", "&", "=", ";", "*", "%2e%2e%2f", "\ufeff", "\uffff", "\u0085", "é", "e\u0301", "ｆｕｌｌ",
        "🙂".repeat(50), "x".repeat(300), "a b c", "admin", "pipelit.store.users.create"};
    private static final String[] FIELDS = {"name", "slug", "description", "node_id", "component_type",
        "source_node_id", "target_node_id", "edge_type", "workflow_slug", "status", "credential_type", "detail",
        "api_key", "config", "position_x", "position_y", "ids", "username", "password", "role", "key", "expires_at",
        "is_active", "limit", "offset", "metadata", "checkpoint", "path", "env_vars", "value", "values", "thread_id",
        "checkpoint_ns", "writes", "before", "older_than_days", "trigger_payload", "output", "error", "message",
        "first_name", "last_name", "code", "totp_code", "current_password", "new_password", "tags", "is_default",
        "provider", "base_url", "timezone", "log_level", "extra", "id", "owner_id", "user_id"};

    private final Random random;
    private final List<RouteTable.Route> routes;
    private final Reliability.Fixtures fixtures;
    private final String adminKey;

    FuzzGenerator(Random random, List<RouteTable.Route> routes, Reliability.Fixtures fixtures, String adminKey) {
      this.random = random;
      this.routes = routes;
      this.fixtures = fixtures;
      this.adminKey = adminKey;
    }

    /**
     * The next request. {@code mustNotChange}: one that must leave the database as it is (no valid key,
     * a normal user on an admin-only route, or a read); otherwise a write attempt with a valid key.
     */
    Fuzz next(int index, boolean mustNotChange) {
      RouteTable.Route route = routes.get(random.nextInt(routes.size()));
      String method = random.nextInt(10) < 8 ? route.method() : pick(METHODS);
      String path = path(route);
      byte[] body = random.nextInt(10) < 8 || route.takesBody() ? body(route) : null;
      if (mustNotChange) {
        switch (random.nextInt(4)) {
          case 0 -> {
            return new Fuzz(index, method, path, null, "no key", body, true);
          }
          case 1 -> {
            return new Fuzz(index, method, path, badKey(), "a bad key", body, true);
          }
          case 2 -> {
            RouteTable.Route adminRoute = adminOnly();
            return new Fuzz(index, adminRoute.method(), path(adminRoute), "Bearer " + fixtures.otherKey(),
                "a normal user on an admin route", body, true);
          }
          default -> {
            String read = pick(new String[] {"GET", "HEAD", "OPTIONS"});
            return new Fuzz(index, read, path, "Bearer " + anyValidKey(), "a valid key (read)", null, true);
          }
        }
      }
      if (method.equals("GET") || method.equals("HEAD")) {
        method = "POST";
      }
      int who = random.nextInt(3);
      String key = who == 0 ? adminKey : who == 1 ? fixtures.ownerKey() : fixtures.otherKey();
      return new Fuzz(index, method, path, "Bearer " + key, who == 0 ? "admin" : who == 1 ? "owner" : "other user",
          body, false);
    }

    private String anyValidKey() {
      int who = random.nextInt(3);
      return who == 0 ? adminKey : who == 1 ? fixtures.ownerKey() : fixtures.otherKey();
    }

    private RouteTable.Route adminOnly() {
      List<RouteTable.Route> admin = routes.stream().filter(r -> r.kind() == RouteTable.Kind.DATA
          && Reliability.access(r) == Reliability.Access.ADMIN_ONLY).toList();
      return admin.get(random.nextInt(admin.size()));
    }

    private String badKey() {
      return switch (random.nextInt(7)) {
        case 0 -> "Bearer ";
        case 1 -> "Bearer pk_" + "f".repeat(40);
        case 2 -> "Basic YWRtaW46YWRtaW4=";
        case 3 -> "Bearer " + adminKey.substring(0, adminKey.length() - 1);
        case 4 -> "Bearer " + "k".repeat(600);
        case 5 -> "bearer " + encoded(pick(NASTY));
        default -> adminKey; // the admin key without the "Bearer " scheme
      };
    }

    private String path(RouteTable.Route route) {
      int kind = random.nextInt(20);
      String path;
      if (kind < 12) {
        path = route.path(name -> random.nextInt(3) == 0 ? encoded(pick(NASTY)) : fixtures.parameters().getOrDefault(
            name, "1"));
      } else if (kind < 16) {
        path = route.path(name -> encoded(pick(NASTY)));
      } else if (kind < 18) {
        StringBuilder b = new StringBuilder("/api/v1");
        int segments = random.nextInt(6);
        for (int i = 0; i < segments; i++) {
          b.append('/').append(random.nextBoolean() ? encoded(pick(NASTY)) : pick(FIELDS));
        }
        path = b.toString();
      } else if (kind < 19) {
        path = "/" + encoded(pick(NASTY)) + "/" + "a/".repeat(random.nextInt(400));
      } else {
        path = "/api/v1/workflows/" + "%2F..".repeat(random.nextInt(20)) + "/x";
      }
      if (random.nextInt(4) == 0) {
        path += "?" + pick(new String[] {"limit", "offset", "workflow_slug", "status", "thread_id", "ns", "before",
            "scope", "agent_id", "metadata", "fact_type"}) + "=" + encoded(pick(NASTY))
            + (random.nextBoolean() ? "&limit=" + encoded(pick(NASTY)) : "");
      }
      return path;
    }

    private static String encoded(String text) {
      return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Bodies the routes accept, by address: the fuzzer spoils one field of them (a hostile value, a wrong
     * type, a field removed or added), so that requests get past the first validation and reach the SQL.
     * Routes without one here get generated bodies only.
     */
    private static final Map<String, String> VALID_SHAPES = Map.of(
        io.pipelit.pipelitd.contracts.StoreAddresses.WORKFLOWS_CREATE, "{\"name\":\"Fuzz\",\"slug\":\"fuzz\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.WORKFLOWS_UPDATE, "{\"name\":\"Renamed\",\"description\":\"d\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.EXECUTIONS_CREATE, "{\"workflow_slug\":\"fx-fuzz\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.CREDENTIALS_CREATE,
        "{\"name\":\"c\",\"credential_type\":\"llm\",\"detail\":{\"api_key\":\"sk-x\"}}",
        io.pipelit.pipelitd.contracts.StoreAddresses.WORKSPACES_CREATE, "{\"name\":\"ws\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.USERS_CREATE,
        "{\"username\":\"fuzzed\",\"password\":\"a fine password\",\"role\":\"normal\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.KEYS_CREATE, "{\"name\":\"k\"}",
        io.pipelit.pipelitd.contracts.StoreAddresses.NODES_UPDATE, "{\"position_x\":1,\"position_y\":2}",
        io.pipelit.pipelitd.contracts.StoreAddresses.EXECUTIONS_UPDATE, "{\"status\":\"running\"}");

    private byte[] body(RouteTable.Route route) {
      String shape = VALID_SHAPES.get(route.address());
      if (shape == null) {
        shape = Reliability.VALID_BODIES.get(route.address());
      }
      if (shape != null && random.nextInt(10) < 5) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>(new JsonObject(shape).getMap());
        List<String> names = new ArrayList<>(fields.keySet());
        switch (random.nextInt(4)) {
          case 0 -> fields.remove(names.get(random.nextInt(names.size())));
          case 1 -> fields.put(random.nextBoolean() ? pick(FIELDS) : pick(NASTY), value(0));
          default -> fields.put(names.get(random.nextInt(names.size())), random.nextBoolean() ? pick(NASTY) : value(0));
        }
        return json(fields).getBytes(StandardCharsets.UTF_8);
      }
      return body();
    }

    private byte[] body() {
      switch (random.nextInt(16)) {
        case 0:
          return new byte[0];
        case 1: // not JSON at all, or broken JSON
          return pick(new String[] {"not json", "{", "{\"name\":", "[1,2", "{\"a\":1}}", "{'a':1}", "\u0000",
              "{\"a\":1,}", "nul", "{\"a\" 1}", "\"\\ud800\"", "{\"a\":\"\\uZZZZ\"}"}).getBytes(StandardCharsets.UTF_8);
        case 2: { // bytes that are not UTF-8
          byte[] bytes = new byte[1 + random.nextInt(64)];
          random.nextBytes(bytes);
          return bytes;
        }
        case 3: { // deep nesting
          int depth = 100 + random.nextInt(5_000);
          String open = random.nextBoolean() ? "[" : "{\"a\":";
          String close = open.equals("[") ? "]" : "}";
          return (open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8);
        }
        case 4: { // a huge value
          StringBuilder b = new StringBuilder("{\"").append(pick(FIELDS)).append("\":\"");
          b.append("x".repeat(random.nextInt(3) == 0 ? 1_200_000 : 70_000)).append("\"}");
          return b.toString().getBytes(StandardCharsets.UTF_8);
        }
        case 5: // a JSON scalar or array instead of an object
          return json(value(0)).getBytes(StandardCharsets.UTF_8);
        default: { // an object with known field names and hostile values
          StringBuilder b = new StringBuilder("{");
          int fields = random.nextInt(8);
          for (int i = 0; i < fields; i++) {
            if (i > 0) {
              b.append(',');
            }
            b.append(json(random.nextInt(6) == 0 ? pick(NASTY) : pick(FIELDS))).append(':').append(json(value(0)));
          }
          return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
        }
      }
    }

    /** A random JSON value, as a Java value for {@link #json}. */
    private Object value(int depth) {
      int kind = random.nextInt(depth > 3 ? 6 : 9);
      return switch (kind) {
        case 0 -> pick(NASTY);
        case 1 -> random.nextLong();
        case 2 -> pick(new Object[] {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 1.5e300, -0.0, 3.14,
            new java.math.BigInteger("123456789012345678901234567890"), new java.math.BigDecimal("1e400")});
        case 3 -> random.nextBoolean();
        case 4 -> null;
        case 5 -> random.nextInt(4) == 0 ? "x".repeat(random.nextInt(20_000)) : randomString();
        case 6 -> {
          List<Object> list = new ArrayList<>();
          int n = random.nextInt(5);
          for (int i = 0; i < n; i++) {
            list.add(value(depth + 1));
          }
          yield list;
        }
        default -> {
          Map<String, Object> map = new java.util.LinkedHashMap<>();
          int n = random.nextInt(5);
          for (int i = 0; i < n; i++) {
            map.put(random.nextBoolean() ? pick(FIELDS) : pick(NASTY), value(depth + 1));
          }
          yield map;
        }
      };
    }

    private String randomString() {
      StringBuilder b = new StringBuilder();
      int n = random.nextInt(40);
      for (int i = 0; i < n; i++) {
        b.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x20 + random.nextInt(0x5f)));
      }
      return b.toString();
    }

    /**
     * JSON text for a value. Strings escape every control and non-ASCII character as {@code \\uXXXX}, so
     * lone surrogates and NUL reach the server's JSON parser as such instead of being replaced on the way.
     */
    @SuppressWarnings("unchecked")
    static String json(Object value) {
      if (value == null) {
        return "null";
      }
      if (value instanceof String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
          if (c == '"' || c == '\\') {
            b.append('\\').append(c);
          } else if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
        return b.append('"').toString();
      }
      if (value instanceof Map<?, ?> map) {
        StringBuilder b = new StringBuilder("{");
        ((Map<String, Object>) map).forEach((k, v) -> {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(json(k)).append(':').append(json(v));
        });
        return b.append('}').toString();
      }
      if (value instanceof List<?> list) {
        StringBuilder b = new StringBuilder("[");
        for (Object item : list) {
          if (b.length() > 1) {
            b.append(',');
          }
          b.append(json(item));
        }
        return b.append(']').toString();
      }
      if (value instanceof Double d && (d.isInfinite() || d.isNaN())) {
        return "1e999";
      }
      return value.toString();
    }

    private <T> T pick(T[] values) {
      return values[random.nextInt(values.length)];
    }
  }
}
