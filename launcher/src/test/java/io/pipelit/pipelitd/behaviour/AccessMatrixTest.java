package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.http.RouteTable;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The access matrix over every route of the route table (discovered from ApiRoutes, so routes merged
 * later are covered without editing this test): a missing, revoked or expired key and the key of a
 * deactivated user get 401 on every authenticated route; a normal user's key gets 403 on admin-only
 * routes; another normal user's key gets 404 on the owner's objects (owner-scoped routes with a path
 * parameter). Who may call what is decided per address prefix in {@link Reliability#ACCESS_BY_PREFIX},
 * which fails loudly for a route family it does not know. None of these requests changes any table.
 */
class AccessMatrixTest extends BackendSuite {

  @Test
  void everyRouteRefusesWhoMustBeRefusedAndChangesNothing() throws Exception {
    Reliability.Fixtures fixtures = Reliability.fixtures(daemon, "access");
    Map<String, String> refusedKeys = new LinkedHashMap<>();
    refusedKeys.put("missing key", null);
    refusedKeys.put("unknown key", "pk_" + "0".repeat(40));
    String revoked = Accounts.userWithKey(daemon, "revoked-key-user", "admin");
    Reliability.alterKey(daemon, revoked, "UPDATE api_keys SET is_active = FALSE WHERE key = ?");
    refusedKeys.put("revoked key", revoked);
    String expired = Accounts.userWithKey(daemon, "expired-key-user", "admin");
    Reliability.alterKey(daemon, expired, "UPDATE api_keys SET expires_at = '2000-01-01 00:00:00' WHERE key = ?");
    refusedKeys.put("expired key", expired);
    long deactivatedId = Accounts.create(daemon, "deactivated-user", "admin");
    String deactivated = Accounts.key(daemon, "deactivated-user");
    assertEquals(204, daemon.delete("/api/v1/users/" + deactivatedId).status());
    refusedKeys.put("deactivated user's key", deactivated);

    List<RouteTable.Route> routes = RouteTable.all();
    Map<String, String> before = Reliability.snapshot(daemon);
    List<String> wrong = new ArrayList<>();
    int checks = 0;
    for (RouteTable.Route route : routes) {
      if (route.kind() == RouteTable.Kind.PUBLIC) {
        continue;
      }
      String path = fixtures.path(route);
      String body = fixtures.validBody(route);
      for (Map.Entry<String, String> key : refusedKeys.entrySet()) {
        checks++;
        expect(wrong, route, key.getKey(), daemon.send(route.method(), path, key.getValue(), body), 401);
      }
      if (route.kind() != RouteTable.Kind.DATA) {
        continue; // accounts routes: who may call them is per path (me / user id), covered by AccountsApiTest
      }
      switch (Reliability.access(route)) {
        case ADMIN_ONLY -> {
          checks++;
          expect(wrong, route, "normal user's key", daemon.send(route.method(), path, fixtures.otherKey(), body), 403);
        }
        case OWNER_SCOPED -> {
          if (!route.parameters().isEmpty()) {
            checks++;
            Response r = daemon.send(route.method(), path, fixtures.otherKey(), body);
            if (r.status() == 422 && route.takesBody()) {
              wrong.add(route + ": its body needs required fields; add a valid one to Reliability.VALID_BODIES so"
                  + " that another user's key is refused for the object, not the body (" + r + ")");
            } else {
              expect(wrong, route, "another user's key", r, 404);
            }
          }
        }
      }
    }
    List<String> changed = Reliability.differences(before, Reliability.snapshot(daemon));
    System.out.printf("access matrix [%s]: %d routes, %d checks, %d wrong, %d tables changed%n", backend,
        routes.size(), checks, wrong.size(), changed.size());
    assertTrue(wrong.isEmpty(), "wrong refusals:\n" + String.join("\n", wrong));
    assertTrue(changed.isEmpty(), "refused requests changed data: " + changed);

    // The owner still reaches every one of their objects: the refusals were about the key, not the object.
    for (RouteTable.Route route : routes) {
      if (route.kind() == RouteTable.Kind.DATA && route.method().equals("GET") && !route.parameters().isEmpty()
          && Reliability.access(route) == Reliability.Access.OWNER_SCOPED) {
        Response r = daemon.send("GET", fixtures.path(route), fixtures.ownerKey(), null);
        assertEquals(200, r.status(), route + " for its owner: " + r);
      }
    }
  }

  private static void expect(List<String> wrong, RouteTable.Route route, String who, Response response,
      int status) {
    if (response.status() != status) {
      wrong.add(route + " with " + who + ": expected " + status + ", got " + response);
      return;
    }
    try {
      JsonObject body = response.json();
      if (!body.containsKey("detail")) {
        wrong.add(route + " with " + who + ": no \"detail\" in " + response.body());
      }
    } catch (RuntimeException notJson) {
      wrong.add(route + " with " + who + ": body is not JSON: " + response.body());
    }
  }
}
