package io.pipelit.pipelitd.checkpoints.impl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which checkpoints of one thread a prune removes. Pure logic, no SQL.
 *
 * <p>The rules, per (thread, namespace) — sub-graph namespaces have their own parent chains:
 * <ol>
 *   <li>Order the checkpoints newest first (checkpoint_id descending, LangGraph's "latest").</li>
 *   <li>A checkpoint is a <em>candidate</em> when it fails every rule given: it is not among the
 *       {@code keepLast} newest (when {@code keepLast} is given) AND its id's time is before
 *       {@code cutoffMillis} (when given; an id without a readable time is never old).</li>
 *   <li>Every other checkpoint is <em>kept</em>. When a namespace keeps at least one checkpoint, it also
 *       keeps its <em>chain roots</em>: the checkpoints without a parent (LangGraph's first, "input"
 *       checkpoint of a thread). Every kept checkpoint's parent chain leads back to such a root, and a
 *       replay from the start, or a DeltaChannel rebuild that walks back past the last snapshot, starts
 *       there; so a thread that keeps anything never loses its beginning, on branched histories too (a
 *       fork made from an old checkpoint descends from the same root). Roots are recognised by their
 *       missing parent, not by walking chains, so a second prune with the same rule removes nothing more.</li>
 *   <li>The remaining candidates are removed, each with its pending writes. When a namespace keeps
 *       nothing (an age rule alone, every checkpoint old) it goes whole: nothing kept needs its root.</li>
 * </ol>
 * Intermediate checkpoints between a root and the kept ones are removed: kept checkpoints still name
 * their (now missing) parent in {@code parent_checkpoint_id}, which LangGraph only reports, never loads.
 * This is deliberate, not an oversight: every checkpoint row holds the whole state, so get_tuple and
 * list/history work on whatever rows remain, and keeping every ancestor of every kept checkpoint would
 * make {@code keep_last} on a linear history (each checkpoint the parent of the next) delete nothing.
 * The guarantee is the one of the issue: the chain <em>root</em> of a kept checkpoint is never deleted.
 *
 * <p>{@code keepLast} is at least 1, or -1 for "no count rule"; 0 (keep nothing, and without an age rule
 * wipe every thread) is refused here, by the API (422) and thus by {@code pipelitd checkpoints prune
 * --keep-last 0}. The scheduled prune's {@code CHECKPOINTS_KEEP_LAST=0} means "no count rule" (-1).
 */
final class Pruner {
  private Pruner() {}

  /** A checkpoint's identity and parent link. */
  record Node(String ns, String id, String parentId) {}

  /**
   * The checkpoints to remove, per the class comment.
   *
   * @param nodes        every checkpoint of one thread (any order)
   * @param keepLast     checkpoints kept per namespace (at least 1), or -1 for no count rule
   * @param cutoffMillis epoch milliseconds before which a checkpoint is old, or -1 for no age rule
   */
  static List<Node> plan(List<Node> nodes, long keepLast, long cutoffMillis) {
    if (keepLast < 0 && cutoffMillis < 0) {
      throw new IllegalArgumentException("a prune needs keep_last or an age");
    }
    if (keepLast == 0) {
      // Would keep nothing and, without an age rule, wipe every thread: refused everywhere (API 422).
      throw new IllegalArgumentException("keep_last must be at least 1 (or -1 for no count rule)");
    }
    Map<String, List<Node>> byNamespace = new LinkedHashMap<>();
    for (Node node : nodes) {
      byNamespace.computeIfAbsent(node.ns(), ns -> new ArrayList<>()).add(node);
    }
    List<Node> removed = new ArrayList<>();
    for (List<Node> group : byNamespace.values()) {
      group.sort((a, b) -> b.id().compareTo(a.id()));
      boolean keepsAny = false;
      List<Node> candidates = new ArrayList<>();
      for (int i = 0; i < group.size(); i++) {
        Node node = group.get(i);
        boolean beyondCount = keepLast < 0 || i >= keepLast;
        boolean old = cutoffMillis < 0 || isOlder(node.id(), cutoffMillis);
        if (beyondCount && old) {
          candidates.add(node);
        } else {
          keepsAny = true;
        }
      }
      for (Node candidate : candidates) {
        boolean root = candidate.parentId() == null;
        if (!(keepsAny && root)) {
          removed.add(candidate);
        }
      }
    }
    return removed;
  }

  private static boolean isOlder(String id, long cutoffMillis) {
    long millis = CheckpointIds.epochMillis(id);
    return millis >= 0 && millis < cutoffMillis;
  }
}
