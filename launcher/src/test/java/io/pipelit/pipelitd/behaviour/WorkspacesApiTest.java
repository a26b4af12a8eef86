package io.pipelit.pipelitd.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.crypto.FieldKeyring;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workspaces (§3.14): shapes, owner scoping for everyone (admins included), the default workspace,
 * paths that must stay under $PIPELIT_DIR/workspaces (traversal, absolute paths, links pointing out),
 * env var values encrypted at rest and masked, folder resets.
 */
class WorkspacesApiTest extends BackendSuite {
  static final String W = "/api/v1/workspaces/";
  static final String SECRET = "sk-workspace-secret-0123456789";
  static final String SECRET_MASK = "sk-w****6789";

  static String alice;
  static String bob;
  /** Real path of the workspace root. */
  static Path root;
  /** A folder outside the root that no request may touch. */
  static Path outside;

  @BeforeParameterizedClassInvocation(injectArguments = false)
  static void users() throws Exception {
    alice = daemon.createNormalUser("alice");
    bob = daemon.createNormalUser("bob");
    Path workspaces = daemon.pipelitDir.resolve("workspaces");
    Files.createDirectories(workspaces);
    root = workspaces.toRealPath();
    outside = Files.createDirectories(daemon.pipelitDir.getParent().resolve("outside")).toRealPath();
    Files.writeString(outside.resolve("keep.txt"), "must survive");
  }

  static JsonObject body(String name) {
    return new JsonObject().put("name", name);
  }

  static JsonObject create(String key, JsonObject body) throws Exception {
    Response r = daemon.send("POST", W, key, body.encode());
    assertEquals(201, r.status(), r.toString());
    return r.json();
  }

  static long rows() throws Exception {
    return daemon.count("SELECT COUNT(*) FROM workspaces");
  }

  static String rawEnvVars(long id) throws Exception {
    try (Connection c = daemon.connect();
         PreparedStatement s = c.prepareStatement("SELECT env_vars FROM workspaces WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet rows = s.executeQuery()) {
        assertTrue(rows.next());
        return rows.getString(1);
      }
    }
  }

  static JsonArray storedEnvVars(long id) throws Exception {
    return new JsonArray(FieldKeyring.parse(daemon.fieldKey).decrypt(rawEnvVars(id)).value());
  }

  @Test
  void createAnswersWorkspaceOutAndMakesTheFolders() throws Exception {
    JsonObject ws = create(alice, body("shape").put("allow_network", true).put("env_vars", new JsonArray()
        .add(new JsonObject().put("key", "API_TOKEN").put("value", SECRET))
        .add(new JsonObject().put("key", "SHORT").put("value", "abc").put("source", "raw"))));

    assertEquals(Set.of("id", "name", "path", "allow_network", "env_vars", "created_at"), ws.fieldNames());
    assertEquals("shape", ws.getString("name"));
    assertEquals(root.resolve("shape").toString(), ws.getString("path"));
    assertTrue(ws.getBoolean("allow_network"));
    assertEquals(new JsonObject().put("key", "API_TOKEN").put("value", SECRET_MASK).putNull("credential_id")
        .putNull("credential_field").put("source", "raw"), ws.getJsonArray("env_vars").getJsonObject(0));
    assertEquals("****", ws.getJsonArray("env_vars").getJsonObject(1).getString("value"));
    assertTrue(Files.isDirectory(root.resolve("shape").resolve(".tmp")));

    Response got = daemon.send("GET", W + ws.getLong("id") + "/", alice, null);
    assertEquals(200, got.status(), got.toString());
    assertEquals(ws, got.json());
    Response withoutSlash = daemon.send("GET", "/api/v1/workspaces/" + ws.getLong("id"), alice, null);
    assertEquals(ws, withoutSlash.json());
  }

  @Test
  void defaultsAndListInIdOrderWithPaging() throws Exception {
    String carol = daemon.createNormalUser("carol-" + backend);
    JsonObject first = create(carol, body("list-1-" + backend));
    JsonObject second = create(carol, body("list-2-" + backend));
    JsonObject third = create(carol, body("list-3-" + backend));
    assertFalse(first.getBoolean("allow_network"));
    assertEquals(new JsonArray(), first.getJsonArray("env_vars"));

    JsonObject all = daemon.send("GET", W, carol, null).json();
    assertEquals(3, all.getLong("total"));
    JsonArray items = all.getJsonArray("items");
    assertEquals(List.of(first, second, third),
        List.of(items.getJsonObject(0), items.getJsonObject(1), items.getJsonObject(2)));
    JsonObject page = daemon.send("GET", W + "?limit=1&offset=1", carol, null).json();
    assertEquals(3, page.getLong("total"));
    assertEquals(1, page.getJsonArray("items").size());
    assertEquals(second.getLong("id"), page.getJsonArray("items").getJsonObject(0).getLong("id"));
  }

  @Test
  void workspacesAreScopedToTheirOwnerEvenForAdmins() throws Exception {
    JsonObject ws = create(alice, body("alice-only"));
    String one = W + ws.getLong("id") + "/";
    for (String key : List.of(bob, daemon.adminKey)) {
      assertEquals(404, daemon.send("GET", one, key, null).status());
      assertEquals("Workspace not found.", daemon.send("GET", one, key, null).detail());
      assertEquals(404, daemon.send("PATCH", one, key, "{\"allow_network\":true}").status());
      assertEquals(404, daemon.send("DELETE", one, key, null).status());
      assertEquals(404, daemon.send("POST", one + "reset/", key, null).status());
      assertEquals(404, daemon.send("POST", one + "reset-rootfs/", key, null).status());
      JsonObject list = daemon.send("GET", W + "?limit=1000", key, null).json();
      assertFalse(list.getJsonArray("items").stream().anyMatch(o -> ((JsonObject) o).getLong("id")
          .equals(ws.getLong("id"))));
    }
    // batch-delete of someone else's id is skipped
    assertEquals(204, daemon.send("POST", W + "batch-delete/", bob,
        new JsonObject().put("ids", new JsonArray().add(ws.getLong("id"))).encode()).status());
    assertEquals(200, daemon.send("GET", one, alice, null).status());
    assertFalse(daemon.send("GET", one, alice, null).json().getBoolean("allow_network"));
  }

  @Test
  void aTakenNameIsAConflictAndChangesNothing() throws Exception {
    create(alice, body("taken"));
    long before = rows();
    Response r = daemon.send("POST", W, bob, body("taken").put("path", "elsewhere-taken").encode());
    assertEquals(409, r.status(), r.toString());
    assertEquals("Workspace with this name already exists.", r.detail());
    assertEquals(before, rows());
    assertFalse(Files.exists(root.resolve("elsewhere-taken")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape", "a/../../escape", "/etc", "/etc/pipelit-ws", "..", ".", "sub/../..",
      "../workspaces-sibling/x"})
  void pathsOutsideTheRootAreRefused(String path) throws Exception {
    long before = rows();
    Response r = daemon.send("POST", W, alice, body("trav-" + Math.abs(path.hashCode()) + "-" + backend)
        .put("path", path).encode());
    assertEquals(400, r.status(), r.toString());
    assertEquals("Workspace path must be under " + daemon.pipelitDir.resolve("workspaces").normalize() + "/",
        r.detail());
    assertEquals(before, rows());
    assertFalse(Files.exists(daemon.pipelitDir.resolve("escape")));
    assertFalse(Files.exists(Path.of("/etc/pipelit-ws")));
  }

  @Test
  void anAbsolutePathUnderTheRootIsAcceptedAndTheRootItselfIsNot() throws Exception {
    JsonObject ws = create(alice, body("abs-" + backend).put("path", root.resolve("nested/abs-" + backend).toString()));
    assertEquals(root.resolve("nested/abs-" + backend).toString(), ws.getString("path"));
    assertTrue(Files.isDirectory(root.resolve("nested/abs-" + backend + "/.tmp")));

    Response r = daemon.send("POST", W, alice, body("root-itself").put("path", root.toString()).encode());
    assertEquals(400, r.status(), r.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/b", "%2e%2e", "..%2fx", "with space", "back\\slash", ""})
  void namesThatAreNoSingleSafeFolderNameAreRefused(String name) throws Exception {
    long before = rows();
    Response r = daemon.send("POST", W, alice, body(name).encode());
    assertEquals(422, r.status(), r.toString());
    assertEquals(before, rows());
  }

  @Test
  void encodedPathsAreNotDecoded() throws Exception {
    // A path is a file-system path, not a URL: "%2e%2e" is a folder literally named so, inside the root.
    JsonObject ws = create(alice, body("encoded-" + backend).put("path", "%2e%2e/enc-" + backend));
    assertEquals(root.resolve("%2e%2e").resolve("enc-" + backend).toString(), ws.getString("path"));
    // and an encoded id in the URL names no workspace
    assertEquals(404, daemon.send("GET", W + "..%2F" + ws.getLong("id") + "/", alice, null).status());
  }

  @Test
  void aLinkInsideTheRootThatPointsOutsideIsRefused() throws Exception {
    Path link = root.resolve("evil-link-" + backend);
    Files.createSymbolicLink(link, outside);
    long before = rows();
    for (String path : List.of(link.getFileName() + "/sub", link.getFileName().toString(), link + "/deeper/x")) {
      Response r = daemon.send("POST", W, alice, body("link-" + Math.abs(path.hashCode())).put("path", path).encode());
      assertEquals(400, r.status(), path + " → " + r);
    }
    assertEquals(before, rows());
    try (var listing = Files.list(outside)) {
      assertEquals(List.of(outside.resolve("keep.txt")), listing.toList());
    }
  }

  @Test
  void resetsRefuseAFolderSwappedForALinkPointingOutside() throws Exception {
    JsonObject ws = create(alice, body("swapped-" + backend));
    Path folder = Path.of(ws.getString("path"));
    Files.delete(folder.resolve(".tmp"));
    Files.delete(folder);
    Files.createSymbolicLink(folder, outside);
    Files.createDirectories(outside.resolve(".rootfs"));
    try {
      Response reset = daemon.send("POST", W + ws.getLong("id") + "/reset/", alice, null);
      assertEquals(400, reset.status(), reset.toString());
      Response rootfs = daemon.send("POST", W + ws.getLong("id") + "/reset-rootfs/", alice, null);
      assertEquals(400, rootfs.status(), rootfs.toString());
      assertEquals("must survive", Files.readString(outside.resolve("keep.txt")));
      assertTrue(Files.isDirectory(outside.resolve(".rootfs")));
    } finally {
      Files.delete(outside.resolve(".rootfs"));
    }
  }

  @Test
  void resetEmptiesTheFolderAndResetRootfsRemovesOnlyTheRootfs() throws Exception {
    JsonObject ws = create(alice, body("resettable-" + backend));
    Path folder = Path.of(ws.getString("path"));
    Files.writeString(folder.resolve("work.txt"), "w");
    Files.createDirectories(folder.resolve(".rootfs/usr/bin"));
    Files.writeString(folder.resolve(".rootfs/usr/bin/tool"), "t");
    Files.createSymbolicLink(folder.resolve("link-out"), outside); // removed as a link, never followed

    Response rootfs = daemon.send("POST", W + ws.getLong("id") + "/reset-rootfs/", alice, null);
    assertEquals(200, rootfs.status(), rootfs.toString());
    assertTrue(rootfs.json().getBoolean("ok"));
    assertTrue(rootfs.json().getString("message").length() > 0);
    assertFalse(Files.exists(folder.resolve(".rootfs")));
    assertTrue(Files.exists(folder.resolve("work.txt")));

    Response reset = daemon.send("POST", W + ws.getLong("id") + "/reset/", alice, null);
    assertEquals(200, reset.status(), reset.toString());
    assertEquals(Set.of("ok", "message"), reset.json().fieldNames());
    try (var listing = Files.list(folder)) {
      assertEquals(List.of(folder.resolve(".tmp")), listing.toList());
    }
    assertEquals("must survive", Files.readString(outside.resolve("keep.txt")));
  }

  @Test
  void envVarValuesAreEncryptedAtRest() throws Exception {
    JsonObject ws = create(alice, body("at-rest-" + backend).put("env_vars", new JsonArray()
        .add(new JsonObject().put("key", "API_TOKEN").put("value", SECRET))));
    String raw = rawEnvVars(ws.getLong("id"));
    assertFalse(raw.contains(SECRET), raw);
    assertFalse(raw.contains("API_TOKEN"), raw);
    assertTrue(raw.startsWith("gAAAAA"), raw);
    assertEquals(SECRET, storedEnvVars(ws.getLong("id")).getJsonObject(0).getString("value"));
  }

  @Test
  void aPatchSendingBackMaskedValuesKeepsTheSecrets() throws Exception {
    JsonObject ws = create(alice, body("masked-" + backend).put("env_vars", new JsonArray()
        .add(new JsonObject().put("key", "API_TOKEN").put("value", SECRET))
        .add(new JsonObject().put("key", "OTHER").put("value", "other-secret-value-42"))));
    long id = ws.getLong("id");
    JsonArray answered = ws.getJsonArray("env_vars");
    JsonArray sentBack = new JsonArray().add(answered.getJsonObject(0))
        .add(answered.getJsonObject(1).copy().put("value", "replaced-value-0000000"))
        .add(new JsonObject().put("key", "NEW_ONE").put("value", "brand-new-value-1234"));

    Response patched = daemon.send("PATCH", W + id + "/", alice, new JsonObject().put("env_vars", sentBack).encode());
    assertEquals(200, patched.status(), patched.toString());
    assertEquals(SECRET_MASK, patched.json().getJsonArray("env_vars").getJsonObject(0).getString("value"));
    JsonArray stored = storedEnvVars(id);
    assertEquals(SECRET, stored.getJsonObject(0).getString("value"));
    assertEquals("replaced-value-0000000", stored.getJsonObject(1).getString("value"));
    assertEquals("brand-new-value-1234", stored.getJsonObject(2).getString("value"));

    // allow_network alone leaves env_vars as they are; env_vars replaces the whole list
    Response network = daemon.send("PATCH", W + id + "/", alice, "{\"allow_network\":true}");
    assertTrue(network.json().getBoolean("allow_network"));
    assertEquals(3, storedEnvVars(id).size());
    Response emptied = daemon.send("PATCH", W + id + "/", alice, "{\"env_vars\":[]}");
    assertEquals(new JsonArray(), emptied.json().getJsonArray("env_vars"));
    assertEquals(new JsonArray(), storedEnvVars(id));
    assertTrue(emptied.json().getBoolean("allow_network"));
  }

  @Test
  void nameAndPathCannotBeChangedByPatch() throws Exception {
    JsonObject ws = create(alice, body("fixed-" + backend));
    Response r = daemon.send("PATCH", W + ws.getLong("id") + "/", alice,
        new JsonObject().put("name", "renamed").put("path", "/etc").encode());
    assertEquals(200, r.status(), r.toString());
    assertEquals(ws, r.json());
  }

  @Test
  void credentialSourcesMustNameACredentialOfTheCaller() throws Exception {
    Response credential = daemon.send("POST", "/api/v1/credentials/", alice, new JsonObject().put("name", "llm-ws")
        .put("credential_type", "llm").put("detail", new JsonObject().put("api_key", "sk-abc-123456789012")).encode());
    long credentialId = credential.json().getLong("id");
    JsonObject entry = new JsonObject().put("key", "LLM_KEY").put("source", "credential")
        .put("credential_id", credentialId).put("credential_field", "api_key");

    JsonObject ws = create(alice, body("cred-" + backend).put("env_vars", new JsonArray().add(entry)));
    assertEquals(entry.copy().putNull("value"), ws.getJsonArray("env_vars").getJsonObject(0));

    long before = rows();
    Response bobs = daemon.send("POST", W, bob, body("cred-bob-" + backend)
        .put("env_vars", new JsonArray().add(entry)).encode());
    assertEquals(422, bobs.status(), bobs.toString());
    Response missing = daemon.send("POST", W, alice, body("cred-missing-" + backend).put("env_vars",
        new JsonArray().add(new JsonObject().put("key", "K").put("source", "credential"))).encode());
    assertEquals(422, missing.status(), missing.toString());
    assertEquals(before, rows());
  }

  @Test
  void theDefaultWorkspaceCannotBeDeletedAndBatchDeleteSkipsIt() throws Exception {
    Response byNormalUser = daemon.send("POST", W, alice, body("default").encode());
    assertEquals(403, byNormalUser.status(), byNormalUser.toString());

    JsonObject def = create(daemon.adminKey, body("default").put("allow_network", true));
    JsonObject other = create(daemon.adminKey, body("admin-other-" + backend));
    Response refused = daemon.send("DELETE", W + def.getLong("id") + "/", daemon.adminKey, null);
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("Cannot delete the default workspace.", refused.detail());

    Response batch = daemon.send("POST", W + "batch-delete/", daemon.adminKey, new JsonObject()
        .put("ids", new JsonArray().add(def.getLong("id")).add(other.getLong("id"))).encode());
    assertEquals(204, batch.status(), batch.toString());
    assertEquals(200, daemon.send("GET", W + def.getLong("id") + "/", daemon.adminKey, null).status());
    assertEquals(404, daemon.send("GET", W + other.getLong("id") + "/", daemon.adminKey, null).status());
    assertTrue(Files.isDirectory(Path.of(other.getString("path"))), "the folder stays, as in Pipelit");
  }

  @Test
  void deleteRemovesTheRowButKeepsTheFolder() throws Exception {
    JsonObject ws = create(alice, body("deletable-" + backend));
    Response r = daemon.send("DELETE", W + ws.getLong("id") + "/", alice, null);
    assertEquals(204, r.status(), r.toString());
    assertEquals("", r.body());
    assertEquals(404, daemon.send("GET", W + ws.getLong("id") + "/", alice, null).status());
    assertTrue(Files.isDirectory(Path.of(ws.getString("path"))));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"name\":\"bad-env\",\"env_vars\":{\"A\":\"b\"}}",
      "{\"name\":\"bad-env\",\"env_vars\":[\"A=b\"]}",
      "{\"name\":\"bad-env\",\"env_vars\":[{\"key\":\"1ABC\",\"value\":\"x\"}]}",
      "{\"name\":\"bad-env\",\"env_vars\":[{\"key\":\"A\",\"value\":\"x\"},{\"key\":\"A\",\"value\":\"y\"}]}",
      "{\"name\":\"bad-env\",\"env_vars\":[{\"key\":\"A\",\"source\":\"vault\"}]}",
      "{\"name\":\"bad-env\",\"env_vars\":[{\"key\":\"A\",\"value\":5}]}",
      "{\"name\":\"bad-env\",\"allow_network\":\"yes\"}",
      "{\"name\":\"bad-env\",\"path\":7}",
      "{\"path\":\"no-name\"}",
      "{\"name\":5}"})
  void badBodiesAreRefusedWith422AndChangeNothing(String body) throws Exception {
    long before = rows();
    Response r = daemon.send("POST", W, alice, body);
    assertEquals(422, r.status(), r.toString());
    assertEquals(before, rows());
    assertFalse(Files.exists(root.resolve("bad-env")));
    assertFalse(Files.exists(root.resolve("no-name")));
  }

  @Test
  void otherBadRequests() throws Exception {
    assertEquals(404, daemon.send("GET", W + "abc/", alice, null).status());
    assertEquals(422, daemon.send("POST", W + "batch-delete/", alice, "{}").status());
    assertEquals(422, daemon.send("POST", W + "batch-delete/", alice, "{\"ids\":[\"x\"]}").status());
    JsonObject ws = create(alice, body("patch-bad-" + backend));
    Response r = daemon.send("PATCH", W + ws.getLong("id") + "/", alice, "{\"env_vars\":[{\"value\":\"no key\"}]}");
    assertEquals(422, r.status(), r.toString());
    assertEquals(new JsonArray(), storedEnvVars(ws.getLong("id")));
    assertEquals(401, daemon.send("GET", W, null, null).status());
  }
}
