package io.pipelit.pipelitd.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  static JsonObject backup(String name, int daysAgo, String status, String kind) {
    return new JsonObject().put("name", name).put("status", status).put("kind", kind)
        .put("created_at", NOW.minusSeconds(daysAgo * 86_400L).toString());
  }

  static JsonObject ok(String name, int daysAgo) {
    return backup(name, daysAgo, "verified", "scheduled");
  }

  @Test
  void keepLastKeepsTheNewest() {
    List<JsonObject> all = List.of(ok("a", 0), ok("b", 1), ok("c", 2), ok("d", 3));
    assertEquals(List.of("c", "d"), Retention.expired(all, 2, 0, NOW));
    assertEquals(List.of(), Retention.expired(all, 0, 0, NOW), "no rule, nothing deleted");
  }

  @Test
  void maxAgeDeletesOldOnes() {
    List<JsonObject> all = List.of(ok("a", 0), ok("b", 5), ok("c", 10), ok("d", 40));
    assertEquals(List.of("c", "d"), Retention.expired(all, 0, 7, NOW));
    assertEquals(List.of("b", "c", "d"), Retention.expired(all, 1, 30, NOW), "either rule deletes");
  }

  @Test
  void theNewestVerifiedBackupIsNeverDeleted() {
    List<JsonObject> all = List.of(backup("f1", 0, "failed", "scheduled"), backup("f2", 1, "failed", "manual"),
        ok("good", 50), ok("older", 60));
    assertEquals(List.of("older"), Retention.expired(all, 2, 0, NOW));
    assertEquals(List.of("older"), Retention.expired(all, 0, 7, NOW), "too old but the only good one");
    assertEquals(List.of("f2", "older"), Retention.expired(all, 1, 0, NOW));
  }

  @Test
  void preMigrationSnapshotsAreLeftAlone() {
    List<JsonObject> all = List.of(ok("a", 0), backup("pre", 1, "verified", "pre-migration"), ok("b", 2), ok("c", 90));
    assertEquals(List.of("c"), Retention.expired(all, 2, 0, NOW));
    assertEquals(List.of("b", "c"), Retention.expired(all, 0, 1, NOW));
  }
}
