package io.pipelit.pipelitd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipelit.pipelitd.contracts.config.ConfigException;
import io.pipelit.pipelitd.contracts.config.ConfigKeys;
import io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin;
import io.pipelit.pipelitd.contracts.plugin.VerticleSpec;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Plugins}: PIPELITD_DEPLOY parsing and resolution against a registry, without Vert.x. */
class PluginsTest {

  static final class Idle extends VerticleBase {}

  record FakePlugin(String name, List<VerticleSpec> verticles) implements PipelitdPlugin {}

  static final Plugins REGISTRY = Plugins.of(List.of(
      new FakePlugin("one", List.of(VerticleSpec.of("audit-log", Idle::new, 1))),
      new FakePlugin("two", List.of(new VerticleSpec("indexer", Idle::new, 2, 8, ThreadingModel.WORKER)))));

  static Plugins.Request request(String name, Integer instances) {
    return new Plugins.Request(name, Optional.ofNullable(instances));
  }

  @Test
  void deployIsAnArrayOrACommaSeparatedStringWithOptionalInstanceCounts() {
    List<Plugins.Request> expected = List.of(request("audit-log", null), request("indexer", 3));
    assertEquals(expected, Plugins.parseDeploy(new JsonArray().add("audit-log").add("indexer:3")));
    assertEquals(expected, Plugins.parseDeploy("audit-log,indexer:3"));
    assertEquals(expected, Plugins.parseDeploy(" audit-log , indexer : 3 ,"));
    assertEquals(expected, Plugins.parseDeploy("[\"audit-log\", \"indexer:3\"]"), "a JSON array in .env");
    assertEquals(List.of(), Plugins.parseDeploy(null));
    assertEquals(List.of(), Plugins.parseDeploy(""));
    assertEquals(List.of(), Plugins.parseDeploy(new JsonArray()));
  }

  @Test
  void aBadEntryIsAConfigurationErrorNamingTheKey() {
    for (Object bad : List.of("audit-log:x", "audit-log:0", "audit-log:-1", "audit-log:", ":2",
        "audit-log,audit-log:1", new JsonArray().add(3), 42, "[\"unclosed\"")) {
      ConfigException e = assertThrows(ConfigException.class, () -> Plugins.parseDeploy(bad), bad.toString());
      assertEquals(ConfigKeys.DEPLOY, e.key());
      assertTrue(e.getMessage().contains(ConfigKeys.DEPLOY), e.getMessage());
      assertEquals(ExitCodes.USAGE, Failures.exitCode(e));
    }
  }

  @Test
  void resolutionUsesTheDefaultCountAndChecksTheMaximum() {
    List<Plugins.Deployment> resolved = REGISTRY.resolve(new JsonObject()
        .put(ConfigKeys.DEPLOY, new JsonArray().add("indexer").add("audit-log:1")));
    assertEquals(List.of("indexer", "audit-log"), resolved.stream().map(Plugins.Deployment::name).toList());
    assertEquals(List.of(2, 1), resolved.stream().map(Plugins.Deployment::instances).toList());
    assertEquals(8, REGISTRY.resolve(new JsonObject().put(ConfigKeys.DEPLOY, "indexer:8")).get(0).instances());

    ConfigException tooMany = assertThrows(ConfigException.class,
        () -> REGISTRY.resolve(new JsonObject().put(ConfigKeys.DEPLOY, "audit-log:2")));
    assertTrue(tooMany.getMessage().contains("at most 1"), tooMany.getMessage());
    assertEquals(List.of(), REGISTRY.resolve(new JsonObject()));
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> REGISTRY.resolve(new JsonObject().put(ConfigKeys.DEPLOY, "audit-log,auditlog")));
    assertEquals("invalid configuration: PIPELITD_DEPLOY names an unknown verticle 'auditlog'"
        + " (known: audit-log, indexer)", e.getMessage());
    ConfigException none = assertThrows(ConfigException.class,
        () -> Plugins.of(List.of()).resolve(new JsonObject().put(ConfigKeys.DEPLOY, "x")));
    assertTrue(none.getMessage().contains("known: none"), none.getMessage());
  }

  @Test
  void twoPluginsOfferingOneNameAreAConfigurationError() {
    Failures.UserFacingException e = assertThrows(Failures.UserFacingException.class, () -> Plugins.of(List.of(
        new FakePlugin("a", List.of(VerticleSpec.of("same", Idle::new, 1))),
        new FakePlugin("b", List.of(VerticleSpec.of("same", Idle::new, 1))))));
    assertEquals(ExitCodes.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("'same'"), e.getMessage());
  }

  @Test
  void verticleNamesAndCountsAreCheckedByTheSpec() {
    assertThrows(IllegalArgumentException.class, () -> VerticleSpec.of("Bad Name", Idle::new, 1));
    assertThrows(IllegalArgumentException.class, () -> VerticleSpec.of("ok", Idle::new, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new VerticleSpec("ok", Idle::new, 3, 2, ThreadingModel.EVENT_LOOP));
  }
}
