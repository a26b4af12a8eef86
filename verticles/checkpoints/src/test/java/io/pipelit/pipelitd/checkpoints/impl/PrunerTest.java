package io.pipelit.pipelitd.checkpoints.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrunerTest {

  static Pruner.Node n(String id, String parent) {
    return new Pruner.Node("", id, parent);
  }

  static List<String> removed(List<Pruner.Node> nodes, long keepLast, long cutoff) {
    return Pruner.plan(nodes, keepLast, cutoff).stream().map(Pruner.Node::id).sorted().toList();
  }

  @Test
  void keepLastOnALinearChainKeepsTheNewestAndTheRoot() {
    List<Pruner.Node> chain = List.of(n("a", null), n("b", "a"), n("c", "b"), n("d", "c"), n("e", "d"));
    assertEquals(List.of("b", "c"), removed(chain, 2, -1));
    assertEquals(List.of(), removed(chain, 4, -1));
    assertEquals(List.of("b", "c", "d"), removed(chain, 1, -1));
    // keep_last 0 would keep nothing and wipe the thread: refused.
    assertThrows(IllegalArgumentException.class, () -> removed(chain, 0, -1));
    assertThrows(IllegalArgumentException.class, () -> removed(chain, 0, 1));
  }

  @Test
  void branchesKeepTheRootsAndNamespacesAreSeparate() {
    List<Pruner.Node> nodes = List.of(n("a", null), n("b", "a"), n("c", "b"), n("d", "b"),
        // a lineage whose parent was pruned before: not a root
        n("e", "zz"), n("f", "e"),
        new Pruner.Node("sub", "a", null), new Pruner.Node("sub", "b", "a"));
    // Root namespace, newest first: f, e, d, c, b, a; keep 2 → f, e kept, a kept as the root.
    assertEquals(List.of("b", "c", "d"), removed(nodes.subList(0, 6), 2, -1));
    assertEquals(List.of("b", "c"), removed(nodes.subList(0, 6), 3, -1));
    // Per namespace: "sub" keeps its own newest 3 (both).
    assertEquals(List.of("b", "c"), removed(nodes, 3, -1));
    // "sub" with keep 1: b kept, a is its root.
    assertEquals(List.of("b", "c", "d", "e"), removed(nodes, 1, -1));
  }

  @Test
  void aSecondPruneWithTheSameRuleRemovesNothing() {
    List<Pruner.Node> chain = List.of(n("a", null), n("b", "a"), n("c", "b"), n("d", "c"), n("e", "b"));
    assertEquals(List.of("b", "c"), removed(chain, 2, -1));
    List<Pruner.Node> after = List.of(n("a", null), n("d", "c"), n("e", "b"));
    assertEquals(List.of(), removed(after, 2, -1));
  }

  @Test
  void aPruneNeedsARule() {
    assertThrows(IllegalArgumentException.class, () -> Pruner.plan(List.of(), -1, -1));
  }

  @Test
  void checkpointIdsCarryTheirTime() {
    // A real LangGraph id (langgraph-checkpoint's uuid6), from August 2024.
    long millis = CheckpointIds.epochMillis("1ef4f797-8335-6428-8001-8a1503f9b875");
    Instant at = Instant.ofEpochMilli(millis);
    assertEquals(2024, at.atZone(java.time.ZoneOffset.UTC).getYear(), at.toString());
    // v1 and v7 forms of one instant.
    assertEquals(1_700_000_000_000L, CheckpointIds.epochMillis("018bcfe5-6800-7000-8000-000000000000"));
    long v1 = CheckpointIds.epochMillis("04afc000-833b-11ee-8000-000000000000");
    assertEquals(1_700_000_000_000L, v1);
    assertEquals(-1, CheckpointIds.epochMillis("not-a-uuid"));
    assertEquals(-1, CheckpointIds.epochMillis("123e4567-e89b-42d3-a456-426614174000")); // v4
    assertEquals(-1, CheckpointIds.epochMillis(null));
  }
}
